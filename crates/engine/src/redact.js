// The page as HTML for a debug bundle, with its secrets replaced by
// "[redacted]". Works on a clone: the page itself is not changed.
// Kept in step with `SECRET_PARAM` in bundle.rs, which scrubs the result
// again.
(() => {
  const root = document.documentElement;
  if (!root) return '';
  const R = '[redacted]';
  // Attribute, field and meta names that hold secrets.
  const secretName =
    /token|csrf|xsrf|nonce|secret|passw|hmac|fnid|session|signature|(^|[-_:.])(auth|authenticity|sid|sig|pw|key|apikey)($|[-_:.])/i;
  // Query parameters that carry secrets (`logout?auth=...`, `?fnid=`).
  const secretParam =
    /([?&;#])([\w.-]*(?:token|csrf|xsrf|session|secret|nonce|passw|signature)[\w.-]*|auth|fnid|hmac|sid|sig|pw|key|apikey|api_key)=([^&#;\s"'<>]*)/gi;
  const scrub = (v) => v.replace(secretParam, (_m, sep, name) => `${sep}${name}=${R}`);

  const clone = root.cloneNode(true);
  for (const el of [clone, ...clone.querySelectorAll('*')]) {
    const tag = el.tagName.toLowerCase();
    if (tag === 'script' && !el.hasAttribute('src')) {
      // Inline scripts often carry the page's tokens as data.
      el.textContent = '/* [redacted] */';
    }
    const type = (el.getAttribute('type') || '').toLowerCase();
    const fieldName = `${el.getAttribute('name') || ''} ${el.getAttribute('id') || ''}`;
    const secretField =
      (tag === 'input' && (type === 'hidden' || type === 'password')) ||
      ((tag === 'input' || tag === 'textarea') && secretName.test(fieldName));
    if (secretField) {
      if (el.hasAttribute('value')) el.setAttribute('value', R);
      if (tag === 'textarea') el.textContent = R;
    }
    if (tag === 'meta') {
      const what = `${el.getAttribute('name') || ''} ${el.getAttribute('property') || ''} ${el.getAttribute('http-equiv') || ''}`;
      if (secretName.test(what) && el.hasAttribute('content')) el.setAttribute('content', R);
    }
    for (const a of [...el.attributes]) {
      if (secretName.test(a.name)) {
        el.setAttribute(a.name, R);
      } else if (a.value.includes('=')) {
        const v = scrub(a.value);
        if (v !== a.value) el.setAttribute(a.name, v);
      }
    }
  }
  return clone.outerHTML;
})()
