/** SQL CHECK clauses migrations share. Each must keep its text: a migration's SQL never changes once shipped. */

/** NULL, or whole wei as decimal text: 1 to 78 digits, no sign, no leading zero (uint256 fits in 78 digits). */
export const weiCheck = (column: string) => `${column} IS NULL OR (length(${column}) BETWEEN 1 AND 78 AND ${column} NOT GLOB '*[^0-9]*' AND (${column} = '0' OR ${column} NOT GLOB '0*'))`;
