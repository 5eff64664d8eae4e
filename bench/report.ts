// Gathers bench/results/*.json into bench/results/report.md (one table of
// every measurement, each next to its same-run reference and the ratio) and
// bench/results/report.svg (the ratios as bars; below them the latency
// percentiles, commit-to-handler and the saga's, each beside its floor).
// `make bench` runs it last.
import { readdir, readFile, writeFile } from 'node:fs/promises';

interface Row {
  benchmark: string;
  measure: string;
  value: string;
  reference: string;
  ratio: number;
}

const results = new URL('./results/', import.meta.url);

type Json = Record<string, unknown>;
const num = (value: unknown): number => (typeof value === 'number' ? value : Number(value ?? 0));

function rowsOf(result: Json): Row[] {
  switch (result.benchmark) {
    case 'outbox-publish':
      return [
        {
          benchmark: 'outbox publish',
          measure: `${num(result.clients)} clients, business row + outbox event`,
          value: `${num(result.publisherTxPerSecond)} tx/s`,
          reference: `same SQL, no encoding: ${num(result.referenceTxPerSecond)} tx/s`,
          ratio: num(result.ratio),
        },
        {
          benchmark: 'outbox publish',
          measure: `${num(result.clients)} clients, against pgbench`,
          value: `${num(result.publisherTxPerSecond)} tx/s`,
          reference: `pgbench, same statements: ${num(result.pgbenchTxPerSecond)} tx/s`,
          ratio: num(result.ratioToPgbench),
        },
      ];
    case 'capture-drain':
      return [
        {
          benchmark: 'capture',
          measure: `Debezium draining a backlog of ${num(result.events)} outbox rows`,
          value: `${num(result.captureRecordsPerSecond)} records/s (${num(result.captureMegabytesPerSecond)} MB/s)`,
          reference: `kafkajs producing the same bytes: ${num(result.directRecordsPerSecond)} records/s (${num(result.directMegabytesPerSecond)} MB/s)`,
          ratio: num(result.ratio),
        },
      ];
    case 'consumer-throughput': {
      const variants = (result.variants ?? {}) as Record<string, Json>;
      const handler = num(variants.handler?.eventsPerSecond);
      return Object.entries(variants)
        .filter(([name]) => name !== 'handler')
        .map(([name, variant]) => ({
          benchmark: 'consumer',
          measure: `${name}: ${String(variant.description)}`,
          value: `${num(variant.eventsPerSecond)} events/s`,
          reference: `handler without inbox: ${handler} events/s`,
          ratio: num(variant.ratioToHandler),
        }));
    }
    case 'saga-latency': {
      const latency = (result.postToCompletedMs ?? {}) as Json;
      const floor = (result.floorMs ?? {}) as Json;
      return [
        {
          benchmark: 'order saga',
          measure: `latency POST → COMPLETED p50 at ${num(result.offeredPerSecond)}/s offered (${num(result.completedPerSecond)} completed/s)`,
          value: `${num(latency.p50)} ms (p99 ${num(latency.p99)} ms)`,
          reference: `5 outbox hops: ${num(floor.p50)} ms`,
          ratio: num(result.ratioP50ToFloor),
        },
      ];
    }
    case 'latency': {
      const rates = (result.rates ?? []) as Json[];
      return rates.flatMap((rate) => {
        const subject = (rate.commitToHandlerMs ?? {}) as Json;
        const floor = (rate.floorMs ?? {}) as Json;
        const ratio = (rate.ratio ?? {}) as Json;
        return percentileNames.map(([key, label]) => ({
          benchmark: 'latency',
          measure: `commit → handler ${label} at ${num(rate.offeredPerSecond)}/s offered`,
          value: `${num(subject[key])} ms`,
          reference: `kafkajs produce → consume: ${num(floor[key])} ms`,
          ratio: num(ratio[key]),
        }));
      });
    }
    default:
      return [];
  }
}

const percentileNames = [
  ['p50', 'p50'],
  ['p99', 'p99'],
  ['p999', 'p99.9'],
] as const;

/** One pair of bars in the chart's latency panel: a percentile and its floor, in ms. */
interface LatencyBar {
  label: string;
  value: number;
  floor: number;
}

function latencyBarsOf(result: Json): LatencyBar[] {
  if (result.benchmark === 'latency') {
    return ((result.rates ?? []) as Json[]).flatMap((rate) => {
      const subject = (rate.commitToHandlerMs ?? {}) as Json;
      const floor = (rate.floorMs ?? {}) as Json;
      return percentileNames.map(([key, label]) => ({
        label: `commit → handler ${label} at ${num(rate.offeredPerSecond)}/s`,
        value: num(subject[key]),
        floor: num(floor[key]),
      }));
    });
  }
  if (result.benchmark === 'saga-latency') {
    const latency = (result.postToCompletedMs ?? {}) as Json;
    const floor = (result.floorMs ?? {}) as Json;
    return (['p50', 'p99'] as const).map((key) => ({
      label: `saga POST → COMPLETED ${key} at ${num(result.offeredPerSecond)}/s`,
      value: num(latency[key]),
      floor: num(floor[key]),
    }));
  }
  return [];
}

function markdown(rows: Row[], meta: string): string {
  const lines = [
    '# Benchmark results',
    '',
    meta,
    '',
    '| benchmark | measure | value | reference (same run) | ratio |',
    '|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.benchmark} | ${r.measure} | ${r.value} | ${r.reference} | ${r.ratio.toFixed(2)} |`,
    ),
    '',
  ];
  return lines.join('\n');
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Latency against its floor on a log scale: ratios of 50 and of 1.5 both stay readable. */
function latencyPanel(bars: LatencyBar[], top: number, width: number, left: number): string[] {
  if (bars.length === 0) {
    return [];
  }

  const rowHeight = 30;
  const lowest = 0.5;
  const highest = Math.max(10, ...bars.map((bar) => Math.max(bar.value, bar.floor))) * 1.5;
  const span = width - left - 90;
  const x = (ms: number) =>
    left + (span * Math.log10(Math.max(lowest, ms) / lowest)) / Math.log10(highest / lowest);
  const out = [
    `<text x="10" y="${top + 18}" font-size="14" font-weight="bold">Latency, ms (log scale): blue measured, grey its floor in the same run. Lower is better</text>`,
  ];
  for (const ms of [1, 10, 100, 1000, 10000].filter((tick) => tick < highest)) {
    const tickX = x(ms).toFixed(1);
    out.push(
      `<line x1="${tickX}" y1="${top + 26}" x2="${tickX}" y2="${top + 30 + bars.length * rowHeight}" stroke="#ddd"/>`,
      `<text x="${tickX}" y="${top + 38 + bars.length * rowHeight}" font-size="10" text-anchor="middle">${ms}</text>`,
    );
  }
  bars.forEach((bar, i) => {
    const y = top + 28 + i * rowHeight;
    out.push(
      `<text x="${left - 8}" y="${y + 16}" text-anchor="end" font-size="11">${escapeXml(bar.label.slice(0, 70))}</text>`,
      `<rect x="${left}" y="${y + 2}" width="${Math.max(1, x(bar.value) - left).toFixed(1)}" height="12" fill="#4a7bd0"/>`,
      `<text x="${(x(bar.value) + 6).toFixed(1)}" y="${y + 12}" font-size="10">${bar.value} ms</text>`,
      `<rect x="${left}" y="${y + 15}" width="${Math.max(1, x(bar.floor) - left).toFixed(1)}" height="9" fill="#aaa"/>`,
      `<text x="${(x(bar.floor) + 6).toFixed(1)}" y="${y + 24}" font-size="10" fill="#555">${bar.floor} ms</text>`,
    );
  });
  return out;
}

function svg(all: Row[], latency: LatencyBar[]): string {
  // Raw consumption runs an order of magnitude above everything else; it
  // stays in the table and would flatten every other bar.
  // Latency ratios to Kafka's own floor are tens: they have the panel below.
  const rows = all.filter((row) => row.ratio <= 3 && row.benchmark !== 'latency');
  const width = 900;
  const rowHeight = 28;
  const left = 430;
  const scale = (width - left - 60) / Math.max(1.2, ...rows.map((r) => r.ratio));
  const ratioHeight = 50 + rows.length * rowHeight;
  const height = ratioHeight + (latency.length > 0 ? 60 + latency.length * 30 : 0);
  const bars = rows.map((row, i) => {
    const y = 40 + i * rowHeight;
    const label = escapeXml(`${row.benchmark}: ${row.measure}`.slice(0, 70));
    return [
      `<text x="${left - 8}" y="${y + 15}" text-anchor="end" font-size="11">${label}</text>`,
      `<rect x="${left}" y="${y + 3}" width="${Math.max(1, row.ratio * scale).toFixed(1)}" height="16" fill="#4a7bd0"/>`,
      `<text x="${left + row.ratio * scale + 6}" y="${y + 15}" font-size="11">${row.ratio.toFixed(2)}</text>`,
    ].join('');
  });
  const one = left + scale;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="22" font-size="14" font-weight="bold">Ratio to the reference measured in the same run (dashed: 1.0). Throughput: higher is better; latency: lower</text>`,
    `<line x1="${one}" y1="34" x2="${one}" y2="${ratioHeight - 6}" stroke="#999" stroke-dasharray="4 3"/>`,
    ...bars,
    ...latencyPanel(latency, ratioHeight, width, left),
    '</svg>',
    '',
  ].join('\n');
}

const files = (await readdir(results)).filter((f) => f.endsWith('.json')).sort();
const parsed = await Promise.all(
  files.map(async (f) => JSON.parse(await readFile(new URL(f, results), 'utf8')) as Json),
);
const rows = parsed.flatMap(rowsOf);
const cores = parsed.map((r) => num(r.cores)).find((c) => c > 0) ?? 0;
const versions = parsed.map((r) => r.versions as Json | undefined).find(Boolean);
const meta = `${cores} cores; ${
  versions
    ? Object.entries(versions)
        .map(([k, v]) => `${k} ${String(v)}`)
        .join(', ')
    : ''
}; from ${files.join(', ')}`;
await writeFile(new URL('report.md', results), markdown(rows, meta));
await writeFile(new URL('report.svg', results), svg(rows, parsed.flatMap(latencyBarsOf)));
process.stdout.write(markdown(rows, meta));
