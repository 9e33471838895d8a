// The console's stylesheet (see style.h): system fonts only, nothing fetched from elsewhere.
#include "console/style.h"

namespace xrca::console {

const std::string_view k_stylesheet = R"css(
:root { --ink: #1d2433; --muted: #5b6475; --line: #d8dde6; --accent: #1f5fbf; --bad: #b3261e; --good: #1e7b34;
        --warn: #8a5a00; --panel: #f5f7fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
       color: var(--ink); background: #fff; }
header { display: flex; align-items: center; gap: 1.5rem; padding: .6rem 1.5rem; background: #16213a; color: #fff;
         flex-wrap: wrap; }
header .brand { font-weight: 700; letter-spacing: .02em; }
header nav { display: flex; gap: .2rem; flex-wrap: wrap; }
header nav a { color: #c9d4ea; text-decoration: none; padding: .3rem .65rem; border-radius: 4px; }
header nav a:hover { background: #25335a; color: #fff; }
header nav a.current { background: #2f4c8a; color: #fff; }
header form.signout { margin-left: auto; display: flex; align-items: center; gap: .5rem; color: #c9d4ea; }
main { padding: 1rem 1.5rem 3rem; max-width: 1200px; }
h1 { font-size: 1.4rem; margin: .4rem 0 1rem; }
h2 { font-size: 1.1rem; margin: 1.6rem 0 .6rem; border-bottom: 1px solid var(--line); padding-bottom: .3rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--panel); font-weight: 600; font-size: .85rem; color: var(--muted); }
td code, dd code, code { font: 12.5px ui-monospace, "DejaVu Sans Mono", monospace; word-break: break-all; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1.2rem; margin: .5rem 0; }
dt { color: var(--muted); }
dd { margin: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: .8rem; margin: .5rem 0 1rem; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .7rem .9rem; background: var(--panel); }
.card .label { color: var(--muted); font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; }
.card .value { font-size: 1.35rem; font-weight: 600; }
.ok, .badge.ok { color: var(--good); }
.bad, .badge.bad { color: var(--bad); }
.warning { color: var(--warn); }
.badge { font-weight: 600; }
p.notice { padding: .6rem .9rem; border-radius: 6px; border: 1px solid var(--line); background: var(--panel); }
p.notice.ok { border-color: #9cd3a9; background: #eef8f0; }
p.notice.error { border-color: #e7a19c; background: #fdf0ef; }
p.notice.warning { border-color: #e5c98a; background: #fdf7e8; }
form.filters { display: flex; flex-wrap: wrap; gap: .6rem 1rem; align-items: end; background: var(--panel);
               border: 1px solid var(--line); border-radius: 6px; padding: .7rem .9rem; margin: .5rem 0 1rem; }
form.filters label, form.stacked label { display: flex; flex-direction: column; font-size: .8rem; color: var(--muted);
                                         gap: .15rem; }
form.stacked { display: grid; gap: .6rem; max-width: 480px; margin: .5rem 0 1rem; }
form.inline { display: inline; }
input, select, button { font: inherit; padding: .3rem .5rem; border: 1px solid #b9c1cf; border-radius: 4px; }
button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
button.danger { background: var(--bad); border-color: var(--bad); }
button.secondary { background: #fff; color: var(--ink); }
header button { background: transparent; border-color: #5d6f99; color: #fff; padding: .2rem .6rem; }
pre { background: var(--panel); border: 1px solid var(--line); padding: .7rem; overflow: auto; max-height: 28rem;
      font: 12px ui-monospace, "DejaVu Sans Mono", monospace; white-space: pre-wrap; word-break: break-all; }
.token { font: 15px ui-monospace, monospace; background: #fffbe6; border: 1px solid #e5c98a; padding: .6rem;
         word-break: break-all; }
.empty { color: var(--muted); }
.chart { border: 1px solid var(--line); border-radius: 6px; margin: .4rem 0 1rem; background: #fff; }
.login { max-width: 420px; margin: 3rem auto; }
.muted { color: var(--muted); }
)css";

}  // namespace xrca::console
