// Colours from VS Code's theme variables, so charts and the diagram follow
// light, dark and high-contrast themes, and change when the theme does.
export interface Theme {
  foreground: string;
  muted: string;
  grid: string;
  background: string;
  accent: string;
  series: string[];
  highContrast: boolean;
}

const css = (name: string, fallback: string) =>
  getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;

export function readTheme(): Theme {
  const highContrast =
    document.body.classList.contains('vscode-high-contrast') ||
    document.body.classList.contains('vscode-high-contrast-light');
  return {
    foreground: css('--vscode-editor-foreground', '#cccccc'),
    muted: css('--vscode-descriptionForeground', '#999999'),
    grid: css('--vscode-editorWidget-border', 'rgba(128,128,128,0.3)'),
    background: css('--vscode-editor-background', '#1e1e1e'),
    accent: css('--vscode-charts-blue', '#3794ff'),
    series: [
      css('--vscode-charts-blue', '#3794ff'),
      css('--vscode-charts-orange', '#d18616'),
      css('--vscode-charts-green', '#89d185'),
      css('--vscode-charts-red', '#f14c4c'),
      css('--vscode-charts-purple', '#b180d7'),
      css('--vscode-charts-yellow', '#cca700'),
    ],
    highContrast,
  };
}

export function onThemeChange(handler: () => void): void {
  new MutationObserver(handler).observe(document.body, { attributes: true, attributeFilter: ['class'] });
}

/** `color` at `alpha` opacity, for faint raw curves. */
export function fade(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{6})$/i.exec(color);
  if (hex) {
    const n = parseInt(hex[1], 16);
    return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
  }
  return color;
}
