// `npm start` will run the order estate demo (issue: the estate). Until it exists, say so plainly.
console.log('kstreams demo: coming soon. The order estate is not built yet; run `npm test` to see kstreams work.');
