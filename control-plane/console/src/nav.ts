/** Moves the console to another page (hash route). */
export function go(path: string): void {
  location.hash = `#/${path}`;
}
