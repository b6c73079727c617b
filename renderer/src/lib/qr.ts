/** A QR code as the rows of its modules (true = dark), for an SVG to draw; the quiet zone is the caller's. */
import qrcode from 'qrcode-generator';

export function qrModules(text: string): boolean[][] {
  // Type 0 picks the smallest version that fits; M recovers from 15 % damage (a smudged screen, a glare).
  const code = qrcode(0, 'M');
  code.addData(text);
  code.make();
  const size = code.getModuleCount();
  return Array.from({ length: size }, (_, row) => Array.from({ length: size }, (_, col) => code.isDark(row, col)));
}

/** One SVG path drawing every dark module as a unit square, offset by `margin`. */
export function qrPath(modules: readonly (readonly boolean[])[], margin = 4): string {
  const parts: string[] = [];
  modules.forEach((row, y) => row.forEach((dark, x) => dark && parts.push(`M${x + margin} ${y + margin}h1v1h-1z`)));
  return parts.join('');
}
