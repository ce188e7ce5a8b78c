"""The Admin Center's stylesheet, shipped as one HTML widget so JupyterLab and Voilà look the same.

Every colour comes from JupyterLab's theme variables (with light-theme fallbacks), so pages and dialogs
follow the light and the dark theme. Where a theme's own variable is too pale or too dark for text on
its background, the `--smsgw-*` variables pick the shade that keeps at least 4.5:1 contrast in each.
"""

CSS = """
<style>
.smsgw-admin {
  font-family: var(--jp-ui-font-family, sans-serif); color: var(--jp-ui-font-color1, rgba(0,0,0,.87));
  --smsgw-error: var(--jp-error-color0, #b71c1c); --smsgw-success: var(--jp-success-color0, #1b5e20);
  --smsgw-warn: #8a3c00; --smsgw-info: var(--jp-brand-color0, #0d47a1);
  --smsgw-text: var(--jp-ui-font-color1, rgba(0,0,0,.87)); --smsgw-bg: var(--jp-layout-color1, #fff);
  --smsgw-bg2: var(--jp-layout-color2, #eee); --smsgw-line: var(--jp-border-color2, #e0e0e0);
  --smsgw-line-strong: var(--jp-border-color1, #bdbdbd); --smsgw-label-width: 170px;
}
body[data-jp-theme-light="false"] .smsgw-admin {
  --smsgw-error: var(--jp-error-color2, #e57373); --smsgw-success: var(--jp-success-color2, #81c784);
  --smsgw-warn: var(--jp-warn-color2, #ffb74d); --smsgw-info: var(--jp-brand-color2, #64b5f6);
}
.smsgw-admin h1, .smsgw-admin h2, .smsgw-admin h3, .smsgw-admin p, .smsgw-admin td, .smsgw-admin th,
.smsgw-admin .widget-label, .smsgw-admin .widget-html-content, .smsgw-admin .widget-label-basic,
.smsgw-admin .widget-inline-hbox .widget-label { color: var(--smsgw-text); }
.smsgw-admin h1 { font-size: 1.5em; margin: 4px 0 8px; }
.smsgw-admin h2 { font-size: 1.25em; margin: 4px 0 6px; }
.smsgw-admin .jupyter-button.mod-primary { background: var(--jp-brand-color0, #0d47a1); color: #fff; }
.smsgw-admin .jupyter-button.mod-danger { background: var(--jp-error-color0, #b71c1c); color: #fff; }
.smsgw-admin .jupyter-button:disabled { opacity: .6; }

.smsgw-nav { min-width: 170px; border-right: 1px solid var(--smsgw-line); padding-right: 8px; margin-right: 12px;
             min-height: 420px; }
.smsgw-nav .widget-button { width: 160px; justify-content: flex-start; }
.smsgw-nav .smsgw-nav-spacer { flex: 1 1 auto; }
.smsgw-admin .jupyter-button.smsgw-nav-active { background: var(--jp-brand-color0, #0d47a1); color: #fff; }
.smsgw-content { flex: 1 1 auto; min-width: 0; }

/* Tables: one line per row, cells cut with an ellipsis (full text on hover); scroll sideways when narrow. */
.smsgw-table-scroll { overflow-x: auto; max-width: 100%; }
.smsgw-table-scroll > .widget-box, .smsgw-table-inner { min-width: 1130px; }
.smsgw-row { border-bottom: 1px solid var(--smsgw-line); align-items: center; min-height: 30px; flex-wrap: nowrap; }
.smsgw-table-header { border-bottom: 2px solid var(--smsgw-line-strong); font-weight: bold; flex-wrap: nowrap; }
.smsgw-cell { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; padding: 0 4px; max-width: 100%;
              line-height: 28px; }
.smsgw-row .widget-html, .smsgw-row .widget-html-content, .smsgw-table-header .widget-html,
.smsgw-table-header .widget-html-content { overflow: hidden; min-width: 0; margin: 0; }
.smsgw-th { font-weight: bold; }
.smsgw-actions { flex-wrap: nowrap; gap: 4px; }
.smsgw-actions .jupyter-button { height: 24px; line-height: 22px; padding: 0 8px; font-size: 12px; margin: 0; }
.smsgw-select .widget-checkbox, .smsgw-select input { margin: 0; }

/* Fields: label, input, then the error under the input so the input keeps its width. */
.smsgw-field { margin: 1px 0; }
.smsgw-field-error { margin-left: var(--smsgw-label-width); max-width: 520px; }
.smsgw-field-error:empty, .smsgw-field-error .widget-html-content:empty { display: none; }
.smsgw-field-error, .smsgw-error-text { color: var(--smsgw-error); }
.smsgw-field-error .widget-html-content { white-space: normal; line-height: 1.3; }

.smsgw-notice { padding: 6px 10px; border-radius: 4px; margin: 4px 0; border-left: 5px solid;
                background: var(--smsgw-bg2); color: var(--smsgw-text); white-space: normal; }
.smsgw-success { border-left-color: var(--smsgw-success); }
.smsgw-error { border-left-color: var(--smsgw-error); }
.smsgw-warning { border-left-color: var(--smsgw-warn); }
.smsgw-info { border-left-color: var(--smsgw-info); }
.smsgw-notice-kind { font-weight: bold; }
.smsgw-empty { padding: 12px 16px; border: 1px dashed var(--smsgw-line-strong); border-radius: 6px;
               background: var(--smsgw-bg2); color: var(--smsgw-text); max-width: 760px; }

.smsgw-dialog { border: 1px solid var(--smsgw-line-strong); border-radius: 6px; padding: 8px 14px; margin: 8px 0;
                background: var(--smsgw-bg); color: var(--smsgw-text); box-shadow: 0 2px 10px rgba(0,0,0,.35); }
/* Test Connection and Delete open over the page, where the operator is looking, whatever the scroll. */
.smsgw-overlay { position: fixed; top: 56px; right: 24px; width: min(640px, calc(100vw - 48px));
                 max-height: calc(100vh - 80px); overflow: auto; z-index: 1000; }
.smsgw-hint { color: var(--smsgw-text); font-size: 90%; font-style: italic; }
.smsgw-spinner { display: inline-block; width: 12px; height: 12px; border: 2px solid var(--smsgw-text);
                 border-top-color: transparent; border-radius: 50%; animation: smsgw-spin 1s linear infinite; }
@keyframes smsgw-spin { to { transform: rotate(360deg); } }
.smsgw-report-outcome { font-weight: bold; }
.smsgw-report-passed .smsgw-report-outcome { color: var(--smsgw-success); }
.smsgw-report-failed .smsgw-report-outcome { color: var(--smsgw-error); }
.smsgw-stages { border-collapse: collapse; margin-top: 6px; width: 100%; }
.smsgw-stages td, .smsgw-stages th, .smsgw-table td, .smsgw-table th { padding: 2px 8px; text-align: left;
  color: var(--smsgw-text); vertical-align: top; }
.smsgw-stages td:last-child { white-space: normal; overflow-wrap: anywhere; }
.smsgw-stages td:nth-child(-n+3) { white-space: nowrap; }
.smsgw-admin .widget-html-content { line-height: 1.4; }
.smsgw-admin .smsgw-row .widget-html-content, .smsgw-admin .smsgw-table-header .widget-html-content { line-height: 28px; }
.smsgw-stages tr { border-bottom: 1px solid var(--smsgw-line); }
.smsgw-stage-failed td { color: var(--smsgw-error); }
.smsgw-table { border-collapse: collapse; font-size: 90%; }
.smsgw-table tr { border-bottom: 1px solid var(--smsgw-line); }
.smsgw-table td { max-width: 26em; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; line-height: 1.4; }
.smsgw-frame-scroll { overflow-x: auto; max-width: 100%; }
.smsgw-filters .widget-label { min-width: 110px; }
.smsgw-plot text { fill: var(--smsgw-text); font-size: 11px; }
.smsgw-plot .smsgw-plot-passed { fill: var(--smsgw-success); }
.smsgw-plot .smsgw-plot-failed { fill: var(--smsgw-error); }
.smsgw-plot .smsgw-plot-unsupported { fill: var(--smsgw-text); opacity: .55; }
.smsgw-plot line { stroke: var(--smsgw-line); }
.smsgw-test-many { border: 1px solid var(--smsgw-line); border-radius: 6px; padding: 4px 10px; margin: 6px 0; }
.smsgw-failures td { color: var(--smsgw-text); }
</style>
"""
