/**
 * Peer colours for the ring report. Inlined into the page by its source text
 * (see render-html.ts), so it must stay self-contained.
 */

/**
 * `count` distinct CSS colours, one per peer of a rack in table order.
 * Up to ten peers get a hand-picked categorical palette; beyond that hues
 * step by the golden angle (so neighbours in the table never look alike)
 * while lightness cycles through three levels in OKLCH, which keeps 64
 * colours apart and equally readable on white.
 */
export function peerColours(count: number): string[] {
  const categorical = ['#4269d0', '#efb118', '#3ca951', '#ff8ab7', '#a463f2', '#97bbf5', '#9c6b4e', '#6cc5b0', '#ff725c', '#8d8f96'];
  if (count <= categorical.length) return categorical.slice(0, count);
  const lightness = [0.62, 0.76, 0.5];
  return Array.from({ length: count }, (_, i) => {
    const hue = (i * 137.508) % 360;
    return `oklch(${lightness[i % 3]} 0.15 ${hue.toFixed(1)})`;
  });
}
