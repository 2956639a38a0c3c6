// A link to the same page in the other edition: English at the site's root,
// Simplified Chinese under zh/. Both editions are built from the same sources;
// the link appears only when the Chinese edition was built (editions.js).
document.addEventListener("DOMContentLoaded", () => {
  const html = document.documentElement;
  const root = html.dataset.content_root;
  if (root === undefined || !(window.seqlibEditions || []).includes("zh_CN")) return;
  const chinese = (html.lang || "").toLowerCase().startsWith("zh");
  const base = new URL(root, window.location.href); // this edition's root
  const page = window.location.pathname.slice(base.pathname.length);
  const target = new URL((chinese ? "../" : "zh/") + page, base);
  target.hash = window.location.hash;
  const link = document.createElement("a");
  link.href = target.href;
  link.className = "btn btn-sm language-switch";
  link.hreflang = chinese ? "en" : "zh-CN";
  link.lang = chinese ? "en" : "zh-CN";
  link.textContent = chinese ? "English" : "中文";
  link.title = chinese ? "Read this page in English" : "阅读本页的中文版";
  const bar = document.querySelector(".article-header-buttons");
  if (bar) bar.prepend(link);
  else document.body.prepend(link);
});
