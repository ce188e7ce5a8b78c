"""The Admin Center's stylesheet, shipped as one HTML widget so JupyterLab and Voilà look the same."""

CSS = """
<style>
.smsgw-admin { font-family: var(--jp-ui-font-family, sans-serif); }
.smsgw-nav { min-width: 170px; border-right: 1px solid #ddd; padding-right: 8px; margin-right: 12px; }
.smsgw-nav .widget-button { width: 160px; justify-content: flex-start; }
.smsgw-content { flex: 1 1 auto; min-width: 0; }
.smsgw-row { border-bottom: 1px solid #eee; align-items: center; }
.smsgw-table-header { border-bottom: 2px solid #ccc; font-weight: bold; }
.smsgw-cell { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; padding: 0 4px; max-width: 100%; }
.smsgw-row .widget-html, .smsgw-row .widget-html-content { overflow: hidden; min-width: 0; }
.smsgw-th { font-weight: bold; }
.smsgw-field-error, .smsgw-error-text { color: #b00020; }
.smsgw-notice { padding: 6px 10px; border-radius: 4px; margin: 4px 0; }
.smsgw-success { background: #e6f4ea; color: #1e4620; }
.smsgw-error { background: #fdecea; color: #611a15; }
.smsgw-warning { background: #fff4e5; color: #663c00; }
.smsgw-info { background: #e8f0fe; color: #0b3d91; }
.smsgw-dialog { border: 1px solid #bbb; border-radius: 6px; padding: 8px 14px; margin: 8px 0;
                background: #fafafa; box-shadow: 0 2px 6px rgba(0,0,0,.15); }
.smsgw-hint { color: #555; font-size: 90%; }
.smsgw-spinner { display: inline-block; width: 12px; height: 12px; border: 2px solid #999;
                 border-top-color: transparent; border-radius: 50%; animation: smsgw-spin 1s linear infinite; }
@keyframes smsgw-spin { to { transform: rotate(360deg); } }
.smsgw-report-outcome { font-weight: bold; }
.smsgw-report-passed .smsgw-report-outcome { color: #1e7e34; }
.smsgw-report-failed .smsgw-report-outcome { color: #b00020; }
.smsgw-stages td, .smsgw-stages th, .smsgw-table td, .smsgw-table th { padding: 2px 8px; text-align: left; }
.smsgw-stage-failed { color: #b00020; }
.smsgw-table { border-collapse: collapse; font-size: 90%; }
.smsgw-table tr { border-bottom: 1px solid #eee; }
</style>
"""
