/**
 * A minimal XML writer for the preservation exports: elements as nested arrays, text escaped,
 * empty optional children dropped. Written by hand because the documents are small, fully
 * known in advance and only written (fast-xml-parser's builder would need its own object shape
 * per schema and still not order siblings the way the XSDs demand).
 */
import { escapeXml } from '../oai-dc.js';

type Attrs = Readonly<Record<string, string | number | undefined>>;

/** An element: name, attributes (undefined values dropped), children (absent ones skipped). */
export interface XmlNode {
  readonly name: string;
  readonly attrs: Attrs;
  readonly children: readonly (XmlNode | string)[];
}

/** An element; a child that is undefined or false is skipped. */
export function el(
  name: string,
  attrs: Attrs = {},
  ...children: (XmlNode | string | number | undefined | false)[]
): XmlNode {
  const kids: (XmlNode | string)[] = [];
  for (const c of children) {
    if (c === undefined || c === false) continue;
    kids.push(typeof c === 'number' ? String(c) : c);
  }
  return { name, attrs, children: kids };
}

/** Text element, or undefined when the value is absent (so optional elements vanish). */
export function text(
  name: string,
  value: string | number | null | undefined,
  attrs: Attrs = {},
): XmlNode | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return el(name, attrs, String(value));
}

function render(node: XmlNode, depth: number, out: string[]): void {
  const { name, attrs, children: kids } = node;
  const pad = '  '.repeat(depth);
  const a = Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');
  if (kids.length === 0) out.push(`${pad}<${name}${a}/>`);
  else if (kids.every((c) => typeof c === 'string'))
    out.push(`${pad}<${name}${a}>${kids.map((c) => escapeXml(c)).join('')}</${name}>`);
  else {
    out.push(`${pad}<${name}${a}>`);
    for (const c of kids) {
      if (typeof c === 'string') out.push(`${pad}  ${escapeXml(c)}`);
      else render(c, depth + 1, out);
    }
    out.push(`${pad}</${name}>`);
  }
}

/** The document: XML declaration, the root element, a trailing newline. */
export function renderXml(root: XmlNode): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  render(root, 0, out);
  return `${out.join('\n')}\n`;
}
