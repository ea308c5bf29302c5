/** What the demo's warehouse sells: unit prices and the stock each product starts with. */
export const catalogue = {
  UNDERPANTS: { price: 9.5, stock: 1000 },
  JUMPERS: { price: 39, stock: 300 },
  STOCKINGS: { price: 14.25, stock: 500 },
  // Never stocked: every order for socks fails the inventory check.
  SOCKS: { price: 4.75, stock: 0 },
} as const;

export type Product = keyof typeof catalogue;

export const products = Object.keys(catalogue) as Product[];

/** The products normal orders choose from (socks are kept for orders meant to fail). */
export const stockedProducts = products.filter((product) => catalogue[product].stock > 0);
