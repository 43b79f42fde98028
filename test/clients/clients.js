// node-pg as a BI tool's reader: filter, sort and read every view (test/scripts/clients.sh).
const { Client } = require('pg');
let ok = true;
function check(what, good, detail) {
    console.log(`node-pg  ${what.padEnd(28)} ${good ? 'ok' : 'FAILED'} ${detail || ''}`);
    ok = ok && good;
}
function key(code) {
    const annex = code.startsWith('A.');
    return [annex ? 1 : 0, ...(annex ? code.slice(2) : code).split('.').map(Number)];
}
function compare(a, b) {
    const x = key(a), y = key(b);
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
    return x.length - y.length;
}
(async () => {
    const c = new Client({ connectionString: process.argv[2] });
    await c.connect();
    const sp = await c.query('SHOW search_path');
    check('search_path without isms', !sp.rows[0].search_path.includes('isms'));
    let r = await c.query('SELECT process_code FROM isms_report.process_status WHERE process_code = $1', ['7.4']);
    check("filter process_code = '7.4'", r.rows.length === 1 && r.rows[0].process_code === '7.4');
    r = await c.query('SELECT process_code FROM isms_report.process_status ORDER BY process_sort');
    const codes = r.rows.map(x => x.process_code);
    check('sort by process_sort', codes.length === 17 && JSON.stringify(codes) === JSON.stringify([...codes].sort(compare)), codes.join(' '));
    r = await c.query('SELECT processes FROM isms_report.iso27001_readiness WHERE clause = $1', ['6.1.2']);
    check('array as an Array', Array.isArray(r.rows[0].processes) && r.rows[0].processes.includes('7.4'), JSON.stringify(r.rows[0].processes));
    r = await c.query("SELECT relname FROM pg_class WHERE relnamespace = 'isms_report'::regnamespace AND relkind = 'v' ORDER BY 1");
    const views = r.rows.map(x => x.relname);
    for (const v of views) {
        const rows = (await c.query(`SELECT * FROM isms_report.${v}`)).rows;
        const bad = rows.flatMap(row => Object.entries(row)).filter(([k, x]) => typeof x === 'string' && /^\{.*\}$/.test(x));
        check('read ' + v, rows.length > 0 && bad.length === 0, `${rows.length} rows ${bad.length ? bad[0][0] : ''}`);
    }
    check('views read', views.length >= 9, String(views.length));
    await c.end();
    process.exit(ok ? 0 : 1);
})().catch(e => { console.log('node-pg FAILED ' + e.message); process.exit(1); });
