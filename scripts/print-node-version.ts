// The first line of `npm test`: shows which Node runs the project (the pinned one, not the machine's).
console.log(`kstreams test run on Node ${process.version} (${process.execPath})`);
