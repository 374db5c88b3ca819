window.__ads = window.__ads || [];
document.querySelectorAll('.ad-frame').forEach(function (el) { window.__ads.push(el); });
