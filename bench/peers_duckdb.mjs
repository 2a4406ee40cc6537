// peers_duckdb.mjs: the question c2hunt answers, asked of DuckDB over the same flows as zstd
// Parquet, with the same thread count as c2hunt's ranks. Run by bench/peers.
//
//   node peers_duckdb.mjs prepare FLOWS.csv FLOWS.parquet
//   node peers_duckdb.mjs query FLOWS.parquet SEEDS THREADS
//
// The query follows docs/ALGORITHM.md as closely as SQL allows: beacons (>= 4 flows in >= 2
// distinct hours on a C2 port), victims of the known C2, new C2 (>= 2 victims making >= 0.3
// of their beaconing clients), iterated to a fixed point; then every source's fan-out over
// that C2 set on operator ports and its total fan-out, exact.
import { DuckDBInstance } from '@duckdb/node-api';

const [mode, a, b, threads] = process.argv.slice(2);
const inst = await DuckDBInstance.create(':memory:', { threads: String(threads || 2) });
const con = await inst.connect();
const q = async (sql) => (await con.runAndReadAll(sql)).getRows();
const t0 = performance.now();

if (mode === 'prepare') {
  await q(`COPY (SELECT epoch_ms(ts::TIMESTAMP) AS start_ms, epoch_ms(ts::TIMESTAMP) + CAST(round(td * 1000) AS BIGINT) AS end_ms,
                 sa AS src, da AS dst, sp::INTEGER AS sport, dp::INTEGER AS dport, pr AS proto,
                 ipkt::UBIGINT AS packets, ibyt::UBIGINT AS bytes
            FROM read_csv('${a}', header = true, auto_detect = true))
           TO '${b}' (FORMAT parquet, COMPRESSION zstd)`);
  const [[n]] = await q(`SELECT count(*) FROM '${b}'`);
  console.log(JSON.stringify({ rows: Number(n), seconds: (performance.now() - t0) / 1000 }));
} else {
  await q(`CREATE TEMP TABLE seeds AS SELECT column0 AS ip FROM read_csv('${b}', header = false, comment = '#', columns = {'column0': 'VARCHAR'})`);
  await q(`CREATE TEMP TABLE beacon AS
             SELECT src, dst FROM '${a}'
             WHERE proto = 'TCP' AND dport IN (447, 449, 8082)
             GROUP BY src, dst HAVING count(*) >= 4 AND count(DISTINCT start_ms // 3600000) >= 2`);
  await q(`CREATE TEMP TABLE c2 AS SELECT ip FROM seeds`);
  await q(`CREATE TEMP TABLE victims (ip VARCHAR)`);
  let rounds = 0;
  for (;;) {
    rounds++;
    const [[nv]] = await q(`INSERT INTO victims SELECT DISTINCT src FROM beacon
                              WHERE dst IN (SELECT ip FROM c2) AND src NOT IN (SELECT ip FROM c2) AND src NOT IN (SELECT ip FROM victims)`);
    const [[nc]] = await q(`INSERT INTO c2 SELECT dst FROM beacon
                              WHERE dst NOT IN (SELECT ip FROM c2) AND dst NOT IN (SELECT ip FROM victims)
                              GROUP BY dst
                              HAVING count(*) FILTER (WHERE src IN (SELECT ip FROM victims)) >= 2
                                 AND count(*) FILTER (WHERE src IN (SELECT ip FROM victims)) >= 0.3 * count(*)`);
    if (Number(nv) === 0 && Number(nc) === 0) break;
  }
  const rows = await q(`SELECT src, count(DISTINCT dst) FILTER (WHERE dst IN (SELECT ip FROM c2) AND dport IN (22, 23, 8291)) AS touched,
                               count(DISTINCT dst) AS fanout
                        FROM '${a}' GROUP BY src
                        HAVING count(DISTINCT dst) FILTER (WHERE dst IN (SELECT ip FROM c2) AND dport IN (22, 23, 8291)) >= 3
                        ORDER BY touched DESC, src`);
  const [[nc2]] = await q(`SELECT count(*) FROM c2`);
  const [[nvic]] = await q(`SELECT count(*) FROM victims`);
  console.log(JSON.stringify({ seconds: (performance.now() - t0) / 1000, rounds, c2: Number(nc2), victims: Number(nvic),
                               touchers: rows.length, max_rss_kb: process.resourceUsage().maxRSS }));
}
