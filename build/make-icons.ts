/**
 * Draws the app and tray icons procedurally and writes them as PNGs next to this file:
 *   icon.png (512 px; electron-builder derives .icns/.ico from it), tray.png + tray@2x.png (16/32 px, Linux and
 *   Windows), trayTemplate.png + trayTemplate@2x.png (16/32 px, macOS menu bar: black + alpha only), and one
 *   of each tray icon per miner state with a badge in the corner (`tray-training.png`, …): a coloured dot on
 *   Linux and Windows, a shape in the macOS template (which may only be black).
 * The mark: a tapering brush stroke that ends in a neuron, on a violet-to-coral rounded square.
 *
 * Run: npx tsx build/make-icons.ts   (the PNGs are committed; rerun only to change the design)
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodePng } from '../worker/training/png.js';

type Vec = readonly [number, number];
type Rgb = readonly [number, number, number];
type Variant = 'app' | 'tray' | 'template';
/** The tray's states (electron/tray.ts trayIconState); null: the plain mark (starting, no worker). */
type Badge = 'training' | 'waiting' | 'paused' | 'error' | null;

/** A shape in unit coordinates (0..1, y down): signed distance (negative inside) and its colour there. */
interface Layer {
  distance(x: number, y: number): number;
  color(x: number, y: number): Rgb;
  opacity: number;
}

const mix = (a: number, b: number, t: number) => a + (b - a) * t;
const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

function roundedSquare(inset: number, radius: number): (x: number, y: number) => number {
  const half = 0.5 - inset - radius;
  return (x, y) => {
    const qx = Math.abs(x - 0.5) - half;
    const qy = Math.abs(y - 0.5) - half;
    return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
  };
}

function circle([cx, cy]: Vec, r: number): (x: number, y: number) => number {
  return (x, y) => Math.hypot(x - cx, y - cy) - r;
}

/** A polyline whose radius varies along it: the union of capsules between consecutive points. */
function taperedPath(points: readonly Vec[], radii: readonly number[]): (x: number, y: number) => number {
  return (x, y) => {
    let best = Infinity;
    for (let i = 0; i + 1 < points.length; i++) {
      const [ax, ay] = points[i]!;
      const [bx, by] = points[i + 1]!;
      const dx = bx - ax;
      const dy = by - ay;
      const t = clamp01(((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy || 1));
      const d = Math.hypot(x - ax - t * dx, y - ay - t * dy) - mix(radii[i]!, radii[i + 1]!, t);
      if (d < best) best = d;
    }
    return best;
  };
}

function cubic(p0: Vec, p1: Vec, p2: Vec, p3: Vec, steps: number): Vec[] {
  const points: Vec[] = [];
  for (let i = 0; i <= steps; i++) {
    const t = i / steps;
    const u = 1 - t;
    const w = [u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t] as const;
    points.push([
      w[0] * p0[0] + w[1] * p1[0] + w[2] * p2[0] + w[3] * p3[0],
      w[0] * p0[1] + w[1] * p1[1] + w[2] * p2[1] + w[3] * p3[1],
    ]);
  }
  return points;
}

function gradient(x: number, y: number): Rgb {
  // Violet top-left through magenta to coral bottom-right.
  const stops: Rgb[] = [
    [0.33, 0.25, 0.96],
    [0.74, 0.25, 0.85],
    [1.0, 0.5, 0.37],
  ];
  const t = clamp01((x + y) / 2) * (stops.length - 1);
  const i = Math.min(Math.floor(t), stops.length - 2);
  const a = stops[i]!;
  const b = stops[i + 1]!;
  const f = t - i;
  // A soft light from the top, so the tile does not look flat.
  const lift = 0.12 * clamp01(1 - y * 1.6);
  return [mix(a[0], b[0], f) + lift, mix(a[1], b[1], f) + lift, mix(a[2], b[2], f) + lift];
}

/** The badge's colour on Linux and Windows: green training, amber waiting for idle, grey paused, red error. */
const BADGE_COLORS: Record<Exclude<Badge, null>, Rgb> = {
  training: [0.2, 0.83, 0.6],
  waiting: [0.98, 0.75, 0.14],
  paused: [0.62, 0.64, 0.69],
  error: [0.97, 0.44, 0.44],
};

/** A badge in the bottom-right corner: a dot ringed in dark (colour), or for the template a shape per state. */
function badgeLayers(badge: Badge, variant: Variant): Layer[] {
  if (!badge) return [];
  const centre: Vec = [0.78, 0.78];
  if (variant !== 'template') {
    return [
      { distance: circle(centre, 0.25), color: () => [0.08, 0.07, 0.17], opacity: 1 },
      { distance: circle(centre, 0.18), color: () => BADGE_COLORS[badge], opacity: 1 },
    ];
  }
  const black = (): Rgb => [0, 0, 0];
  const ring = (r: number, width: number) => (x: number, y: number) => Math.abs(circle(centre, r)(x, y)) - width;
  const bar = (dx: number) => (x: number, y: number) => Math.max(Math.abs(x - centre[0] - dx) - 0.035, Math.abs(y - centre[1]) - 0.13);
  switch (badge) {
    case 'training':
      return [{ distance: circle(centre, 0.17), color: black, opacity: 1 }];
    case 'waiting':
      return [{ distance: ring(0.14, 0.04), color: black, opacity: 1 }];
    case 'paused':
      return [{ distance: (x, y) => Math.min(bar(-0.07)(x, y), bar(0.07)(x, y)), color: black, opacity: 1 }];
    case 'error':
      // An exclamation mark.
      return [
        { distance: (x, y) => Math.max(Math.abs(x - centre[0]) - 0.04, Math.abs(y - (centre[1] - 0.05)) - 0.11), color: black, opacity: 1 },
        { distance: circle([centre[0], centre[1] + 0.15], 0.045), color: black, opacity: 1 },
      ];
  }
}

function layers(variant: Variant): Layer[] {
  const small = variant !== 'app';
  // Small icons get a bolder mark and no fine detail, which would only blur at 16 px.
  const weight = small ? 1.45 : 1;
  const ink: Rgb = variant === 'template' ? [0, 0, 0] : [1, 1, 1];
  const plain = (color: Rgb) => () => color;
  const head: Vec = [0.68, 0.37];
  const stroke = cubic([0.17, 0.56], [0.28, 0.86], [0.52, 0.8], head, 64);
  // Brush pressure: a light touch-down, full width a third of the way, lifting off into the neuron.
  const radii = stroke.map((_, i) => {
    const t = i / 64;
    return weight * (0.008 + 0.078 * Math.sin(Math.PI * Math.min(1, t * 1.5) / 2) ** 0.8 * (1 - 0.8 * t ** 1.5));
  });
  const result: Layer[] = [];
  if (variant !== 'template') {
    const inset = variant === 'app' ? 0.06 : 0;
    result.push({ distance: roundedSquare(inset, variant === 'app' ? 0.19 : 0.22), color: gradient, opacity: 1 });
  }
  if (!small) {
    // Dendrites: thin links from the neuron to two smaller nodes.
    const nodes: Vec[] = [
      [0.79, 0.21],
      [0.85, 0.46],
    ];
    for (const node of nodes) {
      result.push({ distance: taperedPath([head, node], [0.014, 0.01]), color: plain(ink), opacity: 0.75 });
      result.push({ distance: circle(node, 0.036), color: plain(ink), opacity: 0.9 });
    }
  }
  result.push({ distance: taperedPath(stroke, radii), color: plain(ink), opacity: 0.97 });
  result.push({ distance: circle(head, small ? 0.1 : 0.062), color: plain(ink), opacity: 1 });
  if (variant !== 'template') return result;
  // Alone in the menu bar the mark fills the canvas: zoom it about its own centre.
  const zoom = 1.3;
  const [cx, cy] = [0.44, 0.56];
  return result.map((layer) => ({
    ...layer,
    distance: (x: number, y: number) => layer.distance((x - 0.5) / zoom + cx, (y - 0.5) / zoom + cy) * zoom,
  }));
}

/** Renders to RGBA bytes; edges are anti-aliased from the signed distance (about one pixel wide). */
function render(size: number, variant: Variant, badge: Badge = null): Uint8Array {
  const pixels = new Uint8Array(size * size * 4);
  const stack = [...layers(variant), ...badgeLayers(badge, variant)];
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const x = (px + 0.5) / size;
      const y = (py + 0.5) / size;
      // Premultiplied "over" compositing, bottom layer first.
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (const layer of stack) {
        const coverage = clamp01(0.5 - layer.distance(x, y) * size) * layer.opacity;
        if (coverage === 0) continue;
        const [cr, cg, cb] = layer.color(x, y);
        r = cr * coverage + r * (1 - coverage);
        g = cg * coverage + g * (1 - coverage);
        b = cb * coverage + b * (1 - coverage);
        a = coverage + a * (1 - coverage);
      }
      const o = (py * size + px) * 4;
      const unpremultiply = a > 0 ? 1 / a : 0; // PNG stores straight, not premultiplied, alpha
      pixels[o] = Math.round(clamp01(r * unpremultiply) * 255);
      pixels[o + 1] = Math.round(clamp01(g * unpremultiply) * 255);
      pixels[o + 2] = Math.round(clamp01(b * unpremultiply) * 255);
      pixels[o + 3] = Math.round(a * 255);
    }
  }
  return pixels;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const outputs: [file: string, size: number, variant: Variant, badge: Badge][] = [['icon.png', 512, 'app', null]];
for (const badge of [null, 'training', 'waiting', 'paused', 'error'] as const) {
  const suffix = badge ? `-${badge}` : '';
  outputs.push(
    [`tray${suffix}.png`, 16, 'tray', badge],
    [`tray${suffix}@2x.png`, 32, 'tray', badge],
    [`trayTemplate${suffix}.png`, 16, 'template', badge],
    [`trayTemplate${suffix}@2x.png`, 32, 'template', badge],
  );
}
for (const [file, size, variant, badge] of outputs) {
  writeFileSync(path.join(here, file), encodePng(render(size, variant, badge), size, size, 4));
  console.log(`wrote build/${file} (${size}×${size})`);
}
