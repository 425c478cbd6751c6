// A Plotly chart that updates in place (Plotly.react) instead of being re-created.
//
// st.plotly_chart gives every new spec a new element id, so each update rebuilds
// the chart from scratch; this component keeps its element and only diffs.
// Plotly.js is the copy inside the installed plotly package, served by Streamlit's
// static file serving (ui/chart.py puts it there): nothing is downloaded.

let loading = null;

function plotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = new URL(window.__explorerPlotlySrc || "app/static/plotly.min.js", document.baseURI).href;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => { loading = null; reject(new Error("plotly.min.js could not be loaded")); };
      document.head.appendChild(script);
    });
  }
  return loading;
}

export default function (component) {
  const { data, parentElement } = component;
  const el = parentElement.querySelector(".explorer-chart");
  el.setAttribute("role", "img");
  el.setAttribute("aria-label", data.alt); // an attribute: text, never markup
  if (!el.__resizeObserver && window.ResizeObserver) {
    // A chart drawn while hidden (in a tab not yet shown) gets Plotly's default width:
    // redraw at the real width whenever the element's size changes.
    let last = 0;
    el.__resizeObserver = new ResizeObserver((entries) => {
      const width = Math.round(entries[0].contentRect.width);
      if (width > 0 && width !== last && window.Plotly && el._fullLayout) {
        last = width;
        window.Plotly.Plots.resize(el);
      }
    });
    el.__resizeObserver.observe(el);
  }
  plotly().then((Plotly) => {
    Plotly.react(el, data.spec.data, data.spec.layout, data.config);
  }).catch((err) => { el.textContent = String(err.message); });
}
