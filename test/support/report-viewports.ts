/**
 * The screen sizes the HTML report is checked and photographed at: a phone (390 × 844, an
 * iPhone 12 to 15) and a desktop window. Apart from chromium-probe.ts, whose browser
 * packages jest cannot load, so the tests can name them.
 */
export const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1400, height: 1000 },
} as const;

/** `phone` or `desktop`. */
export type ViewportName = keyof typeof VIEWPORTS;
