// Text size (A- / A / A+) and high-contrast toggles, remembered on this device only.
(function () {
  "use strict";
  var SCALES = { nho: 0.9, vua: 1, lon: 1.25 };
  var store = {
    get: function (key, fallback) {
      try { return window.localStorage.getItem("hocso." + key) || fallback; } catch (e) { return fallback; }
    },
    set: function (key, value) {
      try { window.localStorage.setItem("hocso." + key, value); } catch (e) { /* private mode */ }
    },
  };

  function button(label, title, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.title = title;
    b.setAttribute("aria-label", title);
    b.addEventListener("click", onClick);
    return b;
  }

  function build() {
    if (document.querySelector(".hocso-toolbar")) { return; }
    var bar = document.createElement("nav");
    bar.className = "hocso-toolbar";
    bar.setAttribute("aria-label", "Cỡ chữ và độ tương phản");
    var home = document.createElement("a");
    home.className = "hocso-home";
    home.href = (document.body.getAttribute("data-hocso-home") || "/");
    home.textContent = "← Các ứng dụng";
    bar.appendChild(home);

    var sizeButtons = {};
    function applySize(name) {
      document.documentElement.style.setProperty("--hocso-scale", String(SCALES[name] || 1));
      Object.keys(sizeButtons).forEach(function (k) {
        sizeButtons[k].setAttribute("aria-pressed", String(k === name));
      });
      store.set("coChu", name);
    }
    sizeButtons.nho = button("A-", "Chữ nhỏ hơn", function () { applySize("nho"); });
    sizeButtons.vua = button("A", "Chữ cỡ vừa", function () { applySize("vua"); });
    sizeButtons.lon = button("A+", "Chữ to hơn", function () { applySize("lon"); });
    bar.appendChild(sizeButtons.nho);
    bar.appendChild(sizeButtons.vua);
    bar.appendChild(sizeButtons.lon);

    var contrast = button("Tương phản cao", "Bật hoặc tắt chế độ tương phản cao", function () {
      applyContrast(!document.body.classList.contains("hocso-contrast"));
    });
    contrast.className = "hocso-contrast-toggle";
    function applyContrast(on) {
      document.body.classList.toggle("hocso-contrast", on);
      contrast.setAttribute("aria-pressed", String(on));
      store.set("tuongPhan", on ? "1" : "0");
    }
    bar.appendChild(contrast);
    document.body.insertBefore(bar, document.body.firstChild);
    // An app's tab is named by its title, not by its notebook's file name.
    var title = document.querySelector("#rendered_cells h1");
    if (title && title.textContent.trim()) {
      document.title = title.textContent.replace(/¶$/, "").trim();
    }
    applySize(store.get("coChu", "vua"));
    applyContrast(store.get("tuongPhan", "0") === "1");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", build);
  } else {
    build();
  }
})();
