// window.vw.status and the "data ready" signal (docs/dashboard.md, front end contract):
// after the first frame that draws the loaded positions, performance.mark("vw-data-ready")
// and document.body.dataset.ready = "1".

export const status = {positions: 0, dataReadyMs: null, view: 'map'};

export function markReady(positions) {
  status.positions = positions;
  performance.mark('vw-data-ready');
  status.dataReadyMs = Math.round(performance.now());
  document.body.dataset.ready = '1';
}
