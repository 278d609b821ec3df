// The channel's colour paints the launcher and the customer's bubbles; the text on it must stay
// readable whatever the admin picked.

const HEX = /^#([0-9a-fA-F]{6})$/;
export const FALLBACK_COLOR = "#2563eb";

/** The colour if it is `#rrggbb`, else the default (settings are validated, but be safe). */
export function safeColor(color: string | null | undefined): string {
  return color && HEX.test(color) ? color.toLowerCase() : FALLBACK_COLOR;
}

/** White or near-black, whichever contrasts more with `background` (WCAG relative luminance). */
export function textColorOn(background: string): "#ffffff" | "#111827" {
  const hex = safeColor(background).slice(1);
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4);
  const withWhite = 1.05 / (luminance + 0.05);
  const withBlack = (luminance + 0.05) / (0.0093 + 0.05);
  return withWhite >= withBlack ? "#ffffff" : "#111827";
}
