// The editions built beside this one; tools/i18n.py rewrites this file in the
// built site when it builds the Chinese edition (language-switch.js reads it).
window.seqlibEditions = [];
