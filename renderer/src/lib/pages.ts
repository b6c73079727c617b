/** The dashboard's pages, by the URL's hash (`#earnings`), so a reload or a link keeps the page. Pure. */
export const PAGES = ['dashboard', 'earnings', 'wallet'] as const;
export type PageName = (typeof PAGES)[number];

export function pageOf(hash: string): PageName {
  const name = hash.replace(/^#/, '');
  return (PAGES as readonly string[]).includes(name) ? (name as PageName) : 'dashboard';
}
