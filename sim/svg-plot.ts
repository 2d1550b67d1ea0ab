import type { Estimate } from './confidence.ts';

/**
 * A hand-written SVG scatter plot (no plotting package): one point per policy and load,
 * x = mean quoted lead time, y = promises kept, 95 % intervals as error bars, the points
 * of one policy at one load joined in order of lead time (its curve: one point per tuned parameter). Up and to the left is better. The y axis is
 * logarithmic in promises BROKEN (100 − kept), so that 95 %, 99 % and 99.9 % are as far
 * apart as they are different to a customer; on a linear axis they would all crowd the top.
 */
export interface PlotPoint {
  policy: string;
  /** Points sharing a colour key share a colour (a rule tuned to two targets). */
  colourKey?: string;
  /** Drawn as an outline: the secondary variant of its colour. */
  hollow?: boolean;
  load: number;
  x: Estimate;
  y: Estimate;
}

const COLOURS = ['#1b6ca8', '#5dade2', '#c0392b', '#27ae60', '#8e44ad', '#d68910', '#555555'];
const W = 760;
const H = 480;
const M = { left: 70, right: 230, top: 40, bottom: 60 };

export function renderPlot(points: readonly PlotPoint[], title: string): string {
  const policies = [...new Set(points.map((p) => p.policy))];
  const colourKeys = [...new Set(points.map((p) => p.colourKey ?? p.policy))];
  const colourOf = (p: PlotPoint) => COLOURS[colourKeys.indexOf(p.colourKey ?? p.policy) % COLOURS.length]!;
  const loads = [...new Set(points.map((p) => p.load))].sort((a, b) => a - b);
  const xMax = niceCeil(Math.max(1, ...points.map((p) => p.x.mean + p.x.half)) * 1.05);
  const worst = Math.max(...points.map((p) => 100 - (p.y.mean - p.y.half)));
  const brokenMax = [1, 2, 5, 10, 20, 50, 100].find((b) => b >= worst) ?? 100;
  const brokenMin = 0.05;
  const logSpan = Math.log10(brokenMax) - Math.log10(brokenMin);
  const px = (x: number) => M.left + (x / xMax) * (W - M.left - M.right);
  const py = (y: number) => {
    const broken = Math.min(brokenMax, Math.max(brokenMin, 100 - y));
    return M.top + ((Math.log10(broken) - Math.log10(brokenMin)) / logSpan) * (H - M.top - M.bottom);
  };
  const f = (n: number) => n.toFixed(1);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${M.left}" y="22" font-size="15" font-weight="bold">${escape(title)}</text>`,
  );
  // Grid and axes.
  const xStep = niceStep(xMax);
  for (let x = 0; x <= xMax + 1e-9; x += xStep) {
    out.push(`<line x1="${f(px(x))}" y1="${M.top}" x2="${f(px(x))}" y2="${H - M.bottom}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${f(px(x))}" y="${H - M.bottom + 18}" text-anchor="middle">${trim(x)}</text>`);
  }
  for (const y of [99.95, 99.9, 99.5, 99, 98, 95, 90, 80, 50, 0].filter((v) => 100 - v <= brokenMax)) {
    out.push(`<line x1="${M.left}" y1="${f(py(y))}" x2="${W - M.right}" y2="${f(py(y))}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${M.left - 8}" y="${f(py(y) + 4)}" text-anchor="end">${y}</text>`);
  }
  for (const target of [95, 99]) {
    if (100 - target > brokenMax) continue;
    out.push(
      `<line x1="${M.left}" y1="${f(py(target))}" x2="${W - M.right}" y2="${f(py(target))}" stroke="#999" stroke-dasharray="4 4"/>`,
      `<text x="${W - M.right - 4}" y="${f(py(target) - 4)}" text-anchor="end" fill="#777">${target} %</text>`,
    );
  }
  out.push(
    `<rect x="${M.left}" y="${M.top}" width="${W - M.left - M.right}" height="${H - M.top - M.bottom}" fill="none" stroke="#333"/>`,
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 18}" text-anchor="middle">mean quoted lead time (days)</text>`,
    `<text transform="translate(20 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">promises kept (%, log scale of promises broken)</text>`,
  );
  // Series.
  policies.forEach((policy, i) => {
    const series = points.filter((p) => p.policy === policy).sort((a, b) => a.load - b.load || a.x.mean - b.x.mean);
    const colour = colourOf(series[0]!);
    const hollow = series[0]!.hollow ?? false;
    if (series.length > 1) {
      const d = series.map((p, j) => `${j === 0 ? 'M' : 'L'}${f(px(p.x.mean))} ${f(py(p.y.mean))}`).join(' ');
      out.push(
        `<path d="${d}" fill="none" stroke="${colour}" stroke-width="1.5" opacity="0.6"${hollow ? ' stroke-dasharray="5 3"' : ''}/>`,
      );
    }
    for (const p of series) {
      const cx = px(p.x.mean);
      const cy = py(p.y.mean);
      out.push(
        `<line x1="${f(px(p.x.mean - p.x.half))}" y1="${f(cy)}" x2="${f(px(p.x.mean + p.x.half))}" y2="${f(cy)}" stroke="${colour}"/>`,
        `<line x1="${f(cx)}" y1="${f(py(Math.min(100, p.y.mean + p.y.half)))}" x2="${f(cx)}" y2="${f(py(p.y.mean - p.y.half))}" stroke="${colour}"/>`,
        marker(loads.indexOf(p.load), cx, cy, colour, hollow),
        `<title>${escape(policy)}, drum load ${Math.round(p.load * 100)} %: ${p.x.mean.toFixed(2)} d, ${p.y.mean.toFixed(1)} %</title>`,
      );
    }
    const ly = M.top + 10 + i * 20;
    out.push(
      hollow
        ? `<line x1="${W - M.right + 16}" y1="${ly - 4}" x2="${W - M.right + 34}" y2="${ly - 4}" stroke="${colour}" stroke-width="2" stroke-dasharray="5 3"/>`
        : `<rect x="${W - M.right + 16}" y="${ly - 6}" width="18" height="4" fill="${colour}"/>`,
      `<text x="${W - M.right + 40}" y="${ly}">${escape(policy)}</text>`,
    );
  });
  loads.forEach((load, i) => {
    const ly = M.top + 30 + policies.length * 20 + i * 20;
    out.push(
      marker(i, W - M.right + 25, ly - 4, '#333'),
      `<text x="${W - M.right + 40}" y="${ly}">drum load ${Math.round(load * 100)} %</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** Circle, square, triangle, diamond: one shape per load; outlined when hollow. */
function marker(kind: number, x: number, y: number, colour: string, hollow = false): string {
  const r = 5;
  const f = (n: number) => n.toFixed(1);
  const paint = hollow ? `fill="white" stroke="${colour}" stroke-width="1.5"` : `fill="${colour}"`;
  switch (kind % 4) {
    case 0:
      return `<circle cx="${f(x)}" cy="${f(y)}" r="${r}" ${paint}/>`;
    case 1:
      return `<rect x="${f(x - r)}" y="${f(y - r)}" width="${2 * r}" height="${2 * r}" ${paint}/>`;
    case 2:
      return `<path d="M${f(x)} ${f(y - r - 1)} L${f(x + r + 1)} ${f(y + r)} L${f(x - r - 1)} ${f(y + r)} Z" ${paint}/>`;
    default:
      return `<path d="M${f(x)} ${f(y - r - 1)} L${f(x + r + 1)} ${f(y)} L${f(x)} ${f(y + r + 1)} L${f(x - r - 1)} ${f(y)} Z" ${paint}/>`;
  }
}

function niceStep(max: number): number {
  const raw = max / 8;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
}

function niceCeil(x: number): number {
  const s = niceStep(x);
  return Math.ceil(x / s) * s;
}

function trim(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
