// A Plotly chart that updates in place (Plotly.react) instead of being re-created:
// st.plotly_chart gives every new spec a new element id, so each update rebuilds the
// chart from scratch; this component keeps its element and only diffs. The drawing
// itself is plotly_draw.js's drawChart (prepended by ui/chart.py).

export default function (component) {
  const { data, parentElement } = component;
  drawChart(parentElement.querySelector(".explorer-chart-holder"), data, data.config);
}
