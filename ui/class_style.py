"""The Class page's styles: the student's component (phone first: text of 16 px and more, tap targets of 44 px
and more, no sideways scroll at 390 px), the projector's parts, and the page's join card; presentation mode
(``?present=1``) puts the code and QR code, the question and the spread side by side on one screen.
Colours follow the theme (Streamlit's CSS variables) where they are text; the few fixed ones are Okabe-Ito."""

from __future__ import annotations

__all__ = ["PAGE_CSS", "PRESENT_PAGE_CSS", "PROJECTOR_CSS", "STUDENT_CSS"]

STUDENT_CSS = """
.class-student { font-family: inherit; color: var(--st-text-color, inherit); font-size: 1rem; line-height: 1.5;
  max-width: 38rem; overflow-wrap: anywhere; }
.class-student *, .class-student *::before { box-sizing: border-box; }
.class-student [hidden] { display: none !important; }
.class-student p { margin: 0.25rem 0; }
.cs-join { display: flex; flex-direction: column; gap: 0.3rem; }
.class-student label, .cs-label { font-weight: 600; margin-top: 0.5rem; display: block; }
.class-student input { font: inherit; font-size: 1.25rem; min-height: 2.75rem; width: 100%; padding: 0.35rem 0.7rem;
  border: 1px solid var(--st-border-color, #d5d6d8); border-radius: 0.5rem; color: inherit;
  background: var(--st-secondary-background-color, #f0f2f6); }
.class-student input.cs-code { font-size: 1.75rem; letter-spacing: 0.18em; text-transform: uppercase; }
.class-student input.cs-code::placeholder { text-transform: none; letter-spacing: normal; font-size: 1.25rem; }
.class-student input[aria-invalid=true] { border: 2px solid #D55E00; }
.class-student button, .cs-link { font: inherit; font-size: 1.1rem; min-height: 2.75rem; min-width: 2.75rem;
  padding: 0.35rem 1rem; border-radius: 0.5rem; border: 1px solid var(--st-border-color, rgba(128,128,128,0.6));
  background: transparent; color: inherit; cursor: pointer; touch-action: manipulation; }
.class-student button:disabled { opacity: 0.6; cursor: progress; }
.class-student button.cs-primary { background: #0072B2; border-color: #0072B2; color: #fff; font-weight: 600;
  margin-top: 0.6rem; }
.class-student button[aria-pressed=true] { background: #0072B2; border: 2px solid currentColor; color: #fff;
  font-weight: 700; }
.class-student button[aria-pressed=true]::before { content: "✓ "; }
.class-student :focus-visible { outline: 3px solid var(--st-primary-color, #0072B2); outline-offset: 2px; }
.cs-hint { opacity: 0.85; }
.cs-error { color: color-mix(in srgb, #D55E00 60%, currentColor); font-weight: 600; }
.cs-error:empty, .cs-status:empty, .cs-ack:empty { display: none; }
.cs-ended { font-weight: 600; font-size: 1.15rem; }
.cs-top { display: flex; justify-content: space-between; align-items: center; gap: 0.5rem; flex-wrap: wrap;
  border-bottom: 1px solid rgba(128,128,128,0.4); padding-bottom: 0.3rem; margin-bottom: 0.5rem; }
.cs-who { font-weight: 600; }
.cs-wait { font-size: 1.2rem; padding: 1rem 0; }
.cs-n { font-size: 1.1rem; margin: 0.25rem 0 0; }
.cs-prompt { font-size: 1.25rem; font-weight: 600; }
.cs-table { max-width: 100%; overflow-x: auto; margin: 0.4rem 0; }
.cs-table table { border-collapse: collapse; width: 100%; font-size: 1.15rem; font-variant-numeric: tabular-nums; }
.cs-table caption { text-align: left; font-weight: 600; }
.cs-table th, .cs-table td { padding: 0.3rem 0.5rem; border-bottom: 1px solid rgba(128,128,128,0.35); text-align: left;
  font-weight: 400; }
.cs-table thead th { font-weight: 600; }
.cs-table td { text-align: right; white-space: nowrap; }
.cs-table tr.true { background: rgba(230, 159, 0, 0.16); }
.cs-note { font-size: 1rem; opacity: 0.9; }
.cs-row { display: flex; gap: 0.5rem; align-items: stretch; flex-wrap: wrap; }
.cs-row input { flex: 1 1 8rem; width: auto; }
.cs-row button.cs-primary { margin-top: 0; }
.cs-choices { display: grid; gap: 0.5rem; }
.cs-choices button { font-size: 1.3rem; min-height: 3.25rem; }
.cs-updown { display: grid; grid-template-columns: minmax(0, 1fr) auto auto; gap: 0.5rem; align-items: center;
  margin: 0.35rem 0; }
.cs-class { font-size: 1.15rem; }
.cs-ack { border-left: 5px solid #009E73; padding: 0.3rem 0.7rem; background: rgba(0,158,115,0.1); }
.cs-ack.waiting { border-left-color: #E69F00; background: rgba(230,159,0,0.12); }
.cs-result { border-left: 6px solid rgba(128,128,128,0.7); padding: 0.4rem 0.9rem; margin-top: 0.6rem;
  background: rgba(128,128,128,0.08); }
.cs-result.right { border-left-color: #009E73; background: rgba(0,158,115,0.1); }
.cs-result.wrong { border-left-color: #D55E00; background: rgba(213,94,0,0.1); }
.cs-verdict { font-size: 1.5rem; font-weight: 700; }
.cs-facts { display: grid; grid-template-columns: auto minmax(0, 1fr); gap: 0.15rem 0.8rem; margin: 0.4rem 0; }
.cs-facts dt { font-weight: 600; }
.cs-facts dd { margin: 0; }
.cs-link { display: inline-flex; align-items: center; margin-top: 0.4rem; text-decoration: underline;
  color: inherit; }
"""
PROJECTOR_CSS = """
.class-projector { display: flex; flex-direction: column; gap: 0.4rem; }
.class-projector [hidden] { display: none !important; }
.class-projector p { margin: 0; }
.cp-top { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 16rem), 1fr)); gap: 0.5rem 1.5rem; }
.cp-side { display: flex; flex-direction: column; gap: 0.4rem; }
.cp-prompt { font-size: 1.3rem; margin-bottom: 0.3rem !important; }
.cp-tables { display: flex; flex-wrap: wrap; gap: 0.25rem 1.25rem; }
.cp-tables table.quiz { margin-bottom: 0.25rem; }
.cp-answered { font-size: 2.4rem; font-weight: 700 !important; line-height: 1.2; font-variant-numeric: tabular-nums; }
.cp-joined { font-size: 1.3rem; font-variant-numeric: tabular-nums; }
.cp-status { font-size: 0.95rem; }
.cp-status:empty { display: none; }
.cp-truth { border-left: 6px solid #009E73; padding: 0.4rem 1rem; background: rgba(0,158,115,0.1);
  border-radius: 0.25rem; }
.cp-answer { font-size: 1.6rem; font-weight: 700; }
.cp-explain, .cp-summary { font-size: 1.1rem; }
"""
PAGE_CSS = """<style>
/* a student's phone: no text under 16 px, the page's caption included */
@media (max-width: 640px) { [data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p {
  font-size: 1rem !important; }
/* ... and Streamlit's own controls: taps of 44 px and more, text of 16 px and more */
[data-testid="stExpandSidebarButton"], [data-testid="stMainMenuButton"],
[data-testid="stSidebarCollapseButton"] button { min-width: 44px !important; min-height: 44px !important; }
[data-testid="stExpandSidebarButton"] span, [data-testid="stMainMenuButton"] span,
[data-testid="stSidebarCollapseButton"] span { font-size: 1.5rem !important; }
[data-testid="stSidebarNavLink"] { min-height: 44px !important; }
[data-testid="stSidebarNavLink"] span { font-size: 1rem !important; line-height: 1.4; }
[data-testid="stSidebar"] [data-testid="stCheckbox"] label { min-height: 44px; align-items: center; }
[data-testid="stSidebar"] [data-testid="stCheckbox"] p { font-size: 1rem !important; }
[data-testid="stSidebar"] [data-testid="stTooltipIcon"] button { min-width: 44px !important;
  min-height: 44px !important; display: inline-flex; align-items: center; justify-content: center; }
[data-testid="stHeaderActionElements"] { display: none !important; } }
.cl-card { text-align: center; }
.cl-card p { margin: 0; }
.cl-label { font-size: 1.1rem; font-weight: 600; }
.cl-card p.cl-code { font-size: clamp(3rem, 6.2vw, 7rem); font-weight: 800 !important; letter-spacing: 0.12em;
  line-height: 1.15; font-variant-numeric: tabular-nums; margin-bottom: 0.4rem !important; }
.cl-url { font-size: 1.15rem; overflow-wrap: anywhere; margin-bottom: 0.6rem !important; }
.cl-url span { display: inline-block; max-width: 100%; }  /* breaks between the site and /class?join=CODE */
.cl-example table.steps { margin: 0; }
.cl-qr { margin: 0 auto; width: min(100%, 44vh); }
.cl-qr img { display: block; width: 100%; height: auto; background: #fff; border-radius: 0.25rem; }
.cl-qr figcaption { font-size: 1rem; }
</style>"""
PRESENT_PAGE_CSS = """<style>
/* on a projector the join code is the page's title; the question and the spread take the height */
[data-testid="stMain"] h1 { display: none !important; }
[data-testid="stMainBlockContainer"] { padding-top: 4.2rem !important; }
/* three columns on a projector: the code and the QR code (the page's), the question, the spread */
.class-projector { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1.45fr); gap: 0.5rem 1.25rem;
  align-items: start; }
.class-projector:has(> .cp-spread[hidden]) { grid-template-columns: minmax(0, 1fr); }
.class-projector > .cp-status { grid-column: 1 / -1; }
.class-projector .cp-top { grid-template-columns: minmax(0, 1fr); }
.class-projector .cp-side { order: -1; }
.cp-prompt { font-size: 1.1rem; }
.cp-tables table.steps { font-size: 0.85rem; }
.cp-tables table.steps th, .cp-tables table.steps td { padding: 0.15rem 0.5rem; }
.cp-answered { font-size: 2rem; }
.cp-answer { font-size: 1.35rem; }
.cp-explain, .cp-summary { font-size: 0.95rem; }
/* the chooser, compact: Ask on screen at 1440 x 900 without scrolling */
.cl-example table.steps { font-size: 0.85rem; }
.cl-example table.steps th, .cl-example table.steps td { padding: 0.1rem 0.5rem; }
.cl-example table.steps caption { font-size: 0.85rem; padding: 0; }
</style>"""
