//! The web app's create flow, as a script over the server-rendered sidebar.
//! `C` (this page load's class names) and `ME` are defined before it, and
//! `ReplicaLexical` (the caption editor) too.

pub(crate) const APP_JS: &str = r##"
(() => {
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const icon = (label, size) => `<svg aria-label="${esc(label)}" class="${C.icon}" fill="currentColor" height="${size || 24}" role="img" viewBox="0 0 24 24" width="${size || 24}"><title>${esc(label)}</title><path d="M4 4h16v16H4z" fill="none" stroke="currentColor" stroke-width="2"></path></svg>`;
const ACCEPT = 'image/jpeg,image/png,image/heic,image/heif,video/mp4,video/quicktime';
const EXTENSIONS = ['jpg', 'jpeg', 'png', 'heic', 'heif', 'mp4', 'mov'];
const LIMIT = 2200;

const createSvg = document.querySelector('svg[aria-label="New post"]');
const createItem = createSvg && createSvg.closest('a,[role=link]');
let menu = null;
let state = null;
// UI drift (see drift.rs): 1 rewords, 2 restructures and shows a notice.
const WORDS = UI === 1 ? { Next: 'Continue', Share: 'Post' } : {};
const word = (s) => WORDS[s] || s;
let noticeSeen = false;
let footer = '';

function closeMenu() {
  if (menu) { menu.remove(); menu = null; }
}
if (createItem) {
  createItem.addEventListener('click', (e) => {
    e.preventDefault();
    e.stopPropagation();
    if (menu) { closeMenu(); return; }
    menu = document.createElement('div');
    menu.className = C.menu;
    menu.innerHTML = `<a class="${C.menuItem}" href="#" role="link" tabindex="0"><span class="${C.menuLabel}">Post</span>${icon('Post')}</a>`
      + `<a class="${C.menuItem}" href="#" role="link" tabindex="0"><span class="${C.menuLabel}">Live video</span>${icon('Live video')}</a>`;
    const r = createItem.getBoundingClientRect();
    menu.style.left = `${r.left + 8}px`;
    menu.style.top = `${r.bottom + 4}px`;
    document.body.appendChild(menu);
    const [post, live] = menu.querySelectorAll('a');
    post.addEventListener('click', (ev) => { ev.preventDefault(); closeMenu(); openDialog(); });
    live.addEventListener('click', (ev) => { ev.preventDefault(); closeMenu(); });
  });
  document.addEventListener('click', (e) => { if (menu && !menu.contains(e.target)) closeMenu(); });
}

function openDialog() {
  if (state) return;
  if (UI === 2 && !noticeSeen) {
    const notice = document.createElement('div');
    notice.className = C.overlay;
    notice.setAttribute('role', 'presentation');
    notice.innerHTML = `<div aria-label="New: reels" aria-modal="true" class="${C.dialog}" role="dialog" tabindex="-1">`
      + `<h2 class="${C.title}" dir="auto">New: reels</h2>`
      + `<span class="${C.small}" dir="auto">Video posts are now shared as reels.</span>`
      + `<button class="${C.button}" type="button">OK</button></div>`;
    document.body.appendChild(notice);
    notice.querySelector('button').addEventListener('click', (e) => {
      e.preventDefault();
      noticeSeen = true;
      notice.remove();
      openDialog();
    });
    return;
  }
  const overlay = document.createElement('div');
  overlay.className = C.overlay;
  overlay.setAttribute('role', 'presentation');
  overlay.innerHTML = `<div class="${C.close}" role="button" tabindex="0">${icon('Close', 18)}</div>`
    + `<div aria-label="Create new post" aria-modal="true" class="${C.dialog}" role="dialog" tabindex="-1"></div>`;
  document.body.appendChild(overlay);
  state = { overlay, dialog: overlay.querySelector('[role=dialog]'), step: 'select', files: [], urls: [], caption: '', error: '', editor: null };
  overlay.firstElementChild.addEventListener('click', closeDialog);
  render();
}

function closeDialog() {
  if (!state) return;
  for (const u of state.urls) URL.revokeObjectURL(u);
  state.overlay.remove();
  state = null;
}

const header = (title, left, right) => {
  if (UI === 2) {
    // Restructured: the step's action sits in a footer below the body.
    footer = right ? `<footer class="${C.headerSide}">${right}</footer>` : '';
    return `<div class="${C.header}"><div><div class="${C.headerSide}">${left || ''}</div>`
      + `<div><h1 class="${C.title}" dir="auto">${esc(title)}</h1></div></div></div>`;
  }
  return `<div class="${C.header}"><div class="${C.headerSide}">${left || ''}</div>`
    + `<div><h1 class="${C.title}" dir="auto">${esc(title)}</h1></div>`
    + `<div class="${C.headerSide}">${right || ''}</div></div>`;
};
const backButton = () => `<div class="${C.iconButton}" role="button" tabindex="0" data-act="back">${icon('Back')}</div>`;
const textButton = (label, act) => (UI === 2
  ? `<button class="${C.textButton}" type="button" data-act="${act}">${esc(word(label))}</button>`
  : `<div class="${C.textButton}" role="button" tabindex="0" data-act="${act}">${esc(word(label))}</div>`);
const captionAttrs = () => (UI === 0 ? 'aria-label="Write a caption..."'
  : UI === 1 ? 'aria-label="Add a caption…"' : 'aria-placeholder="Write a caption..."');
const preview = () => `<div class="${C.media}">` + state.files.map((f, i) => (f.type.startsWith('video/')
  ? `<video class="${C.mediaImg}" src="${state.urls[i]}" muted playsinline></video>`
  : `<img alt="" class="${C.mediaImg}" src="${state.urls[i]}">`)).slice(0, 1).join('')
  + (state.files.length > 1 ? `<span class="${C.small}">1/${state.files.length}</span>` : '') + '</div>';

const actions = {
  back() {
    if (state.step === 'crop') {
      for (const u of state.urls) URL.revokeObjectURL(u);
      state.files = []; state.urls = []; state.step = 'select';
    } else if (state.step === 'edit') {
      state.step = 'crop';
    } else if (state.step === 'caption') {
      state.caption = state.editor ? state.editor.text() : state.caption;
      state.step = 'edit';
    }
    render();
  },
  next() {
    if (state.step === 'crop') state.step = 'edit';
    else if (state.step === 'edit') state.step = 'caption';
    render();
  },
  share() { share(); },
  select() { const i = state.dialog.querySelector('input[type=file]'); if (i) i.click(); },
  retry() { state.step = 'caption'; render(); },
  close() { closeDialog(); },
};

function bind(root) {
  for (const e of root.querySelectorAll('[data-act]')) {
    const act = e.getAttribute('data-act');
    e.removeAttribute('data-act');
    e.addEventListener('click', (ev) => { ev.preventDefault(); actions[act](); });
  }
}

function accepted(f) {
  if (ACCEPT.split(',').includes(f.type)) return true;
  const ext = (f.name.split('.').pop() || '').toLowerCase();
  return !f.type && EXTENSIONS.includes(ext);
}

function pick(files) {
  if (!files.length) return;
  if (files.some((f) => !accepted(f))) {
    state.error = 'This file is not supported';
    render();
    return;
  }
  if (files.length > 10) {
    state.error = 'You can only choose 10 or fewer files.';
    render();
    return;
  }
  state.error = '';
  state.files = files;
  state.urls = files.map((f) => URL.createObjectURL(f));
  state.step = 'crop';
  render();
}

function render() {
  const d = state.dialog;
  state.editor = null;
  footer = '';
  switch (state.step) {
    case 'select':
      d.innerHTML = header('Create new post') + `<div class="${C.body}"><div class="${C.dropZone}">`
        + icon('Icon to represent media such as images or videos', 77)
        + `<span class="${C.bigText}" dir="auto">Drag photos and videos here</span>`
        + `<div><button class="${C.button}" type="button" data-act="select">Select from computer</button></div>`
        + `<form enctype="multipart/form-data" method="POST" role="presentation"><input accept="${ACCEPT}" class="${C.fileInput}" multiple type="file"></form>`
        + (state.error ? `<span class="${C.error}" role="alert">${esc(state.error)}</span>` : '')
        + '</div></div>';
      {
        const input = d.querySelector('input[type=file]');
        input.addEventListener('change', () => pick(Array.from(input.files)));
        const zone = d.querySelector(`.${C.dropZone.split(' ')[0]}`);
        zone.addEventListener('dragover', (e) => e.preventDefault());
        zone.addEventListener('drop', (e) => { e.preventDefault(); pick(Array.from(e.dataTransfer.files)); });
      }
      break;
    case 'crop':
      d.innerHTML = header('Crop', backButton(), textButton('Next', 'next')) + `<div class="${C.body}">${preview()}</div>`
        + `<div class="${C.tabs}"><div class="${C.iconButton}" role="button" tabindex="0">${icon('Select crop', 16)}</div>`
        + `<div class="${C.iconButton}" role="button" tabindex="0">${icon('Select zoom', 16)}</div>`
        + `<div class="${C.iconButton}" role="button" tabindex="0">${icon('Open media gallery', 16)}</div></div>`;
      break;
    case 'edit':
      d.innerHTML = header('Edit', backButton(), textButton('Next', 'next')) + `<div class="${C.body}">${preview()}`
        + `<div class="${C.side}"><div class="${C.tabs}" role="tablist"><div role="tab" aria-selected="true" tabindex="0">Filters</div>`
        + '<div role="tab" aria-selected="false" tabindex="0">Adjustments</div></div></div></div>';
      break;
    case 'caption': {
      d.innerHTML = header('Create new post', backButton(), textButton('Share', 'share')) + `<div class="${C.body}">${preview()}`
        + `<div class="${C.side}"><div class="${C.user}"><img alt="${esc(ME)}'s profile picture" class="${C.avatar}" src="data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw=="><span>${esc(ME)}</span></div>`
        + `<div class="${C.captionWrap}">${UI === 2 ? '<div>' : ''}<div ${captionAttrs()} class="${C.caption}" contenteditable="true" role="textbox" spellcheck="true" tabindex="0" data-lexical-editor="true"><p class="${C.paragraph}"><br></p></div>${UI === 2 ? '</div>' : ''}`
        + `<div class="${C.placeholder}" aria-hidden="true">Write a caption...</div></div>`
        + `<div class="${C.counterRow}"><div class="${C.iconButton}" role="button" tabindex="0">${icon('Emoji', 20)}</div><span>0/2,200</span></div>`
        + `<div class="${C.row}"><input aria-label="Add location" name="creation-location-input" placeholder="Add location" type="text"></div>`
        + `<div class="${C.row}"><span>Accessibility</span>${icon('Down chevron icon', 16)}</div>`
        + `<div class="${C.row}"><span>Advanced settings</span>${icon('Down chevron icon', 16)}</div>`
        + '</div></div>';
      const box = d.querySelector('[data-lexical-editor]');
      const placeholder = d.querySelector(`.${C.placeholder.split(' ')[0]}`);
      const counter = d.querySelector(`.${C.counterRow.split(' ')[0]} > span`);
      state.editor = ReplicaLexical.attach(box, {
        dir: 'auto',
        paragraphClass: () => C.paragraph,
        onChange: (t) => {
          placeholder.hidden = t !== '';
          const n = Array.from(t).length;
          counter.textContent = `${n.toLocaleString('en-US')}/2,200`;
          counter.style.color = n > LIMIT ? '#ed4956' : '';
        },
      });
      if (state.caption) state.editor.setText(state.caption);
      break;
    }
    case 'sharing':
      d.innerHTML = header('Sharing') + `<div class="${C.body}"><div class="${C.done}"><img alt="Spinner placeholder" class="${C.avatar}" src="data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw=="></div></div>`;
      break;
    case 'shared':
      d.innerHTML = header('Post shared') + `<div class="${C.body}"><div class="${C.done}">${icon('Animated checkmark', 96)}`
        + `<span class="${C.bigText}" dir="auto">Your post has been shared.</span></div></div>`;
      break;
    case 'failed':
      d.innerHTML = header("Post couldn't be shared") + `<div class="${C.body}"><div class="${C.done}">${icon('Error', 96)}`
        + `<span class="${C.bigText}" dir="auto">Your post couldn't be shared</span>`
        + `<span class="${C.small}" dir="auto">${esc(state.failure || 'Something went wrong. Please try again.')}</span>`
        + textButton('Try again', 'retry') + '</div></div>';
      break;
  }
  if (footer) d.insertAdjacentHTML('beforeend', footer);
  bind(d);
}

async function share() {
  if (!state || state.step !== 'caption') return;
  state.caption = state.editor.text();
  state.step = 'sharing';
  render();
  try {
    const ids = [];
    for (let i = 0; i < state.files.length; i++) {
      const f = state.files[i];
      const r = await fetch(`/rupload_igphoto/fb_uploader_${Date.now()}_${i}`, {
        method: 'POST', body: f, credentials: 'same-origin',
        headers: { 'X-Entity-Name': encodeURIComponent(f.name), 'Content-Type': f.type || 'application/octet-stream' },
      });
      const j = await r.json().catch(() => ({}));
      if (!r.ok || j.status !== 'ok') throw new Error(j.message || 'upload failed');
      ids.push(j.upload_id);
    }
    const form = new URLSearchParams();
    form.set('upload_ids', ids.join(','));
    form.set('caption', state.caption);
    form.set('source_type', 'library');
    const url = ids.length > 1 ? '/api/v1/media/configure_sidecar/' : '/api/v1/media/configure/';
    const r = await fetch(url, { method: 'POST', body: form, credentials: 'same-origin' });
    const j = await r.json().catch(() => ({}));
    if (!r.ok || j.status !== 'ok') throw new Error(j.message || 'configure failed');
    state.step = 'shared';
  } catch (e) {
    state.failure = 'Something went wrong. Please try again.';
    state.step = 'failed';
  }
  if (state) render();
}
})();
"##;
