// An SVG drawn in a webview as a PNG, for the Export buttons of charts that
// are SVG rather than canvas (the sweep figure, the confusion matrix): drawn
// at twice its size on the editor's background, so dark-theme text stays
// readable. A data: image, which the webviews' CSP allows (img-src data:).
export async function svgToPng(svg: SVGSVGElement): Promise<string> {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const css = getComputedStyle(document.body);
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('color', css.color);
  clone.setAttribute('font-family', css.fontFamily);
  const img = new Image();
  let binary = '';
  for (const b of new TextEncoder().encode(new XMLSerializer().serializeToString(clone)))
    binary += String.fromCharCode(b);
  img.src = `data:image/svg+xml;base64,${btoa(binary)}`;
  await img.decode();
  const box = svg.viewBox.baseVal;
  const width = box?.width || svg.clientWidth,
    height = box?.height || svg.clientHeight;
  const canvas = document.createElement('canvas');
  canvas.width = width * 2;
  canvas.height = height * 2;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = css.backgroundColor || '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
  return canvas.toDataURL('image/png');
}
