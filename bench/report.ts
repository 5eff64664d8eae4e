// Gathers bench/results/*.json into bench/results/report.md (one table of
// every measurement, each next to its same-run reference and the ratio) and
// bench/results/report.svg (the ratios as bars, the saga's latency
// percentiles beside its floor). `make bench` runs it last.
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
    default:
      return [];
  }
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

function svg(all: Row[]): string {
  // Raw consumption runs an order of magnitude above everything else; it
  // stays in the table and would flatten every other bar.
  const rows = all.filter((row) => row.ratio <= 3);
  const width = 900;
  const rowHeight = 28;
  const left = 430;
  const scale = (width - left - 60) / Math.max(1.2, ...rows.map((r) => r.ratio));
  const height = 50 + rows.length * rowHeight;
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
    `<line x1="${one}" y1="34" x2="${one}" y2="${height - 6}" stroke="#999" stroke-dasharray="4 3"/>`,
    ...bars,
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
await writeFile(new URL('report.svg', results), svg(rows));
process.stdout.write(markdown(rows, meta));
