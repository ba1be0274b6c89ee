//! New Reddit's post composer (`/r/SUB/submit/?type=...`): shreddit web
//! components with open shadow roots, defined by the page's own script, a
//! Lexical-like body editor that ignores `.value`, and a submit that sends
//! the editor's model, not the DOM.

use std::fmt::Write as _;

use super::pages::{layout, ADD_FLAIR};
use super::store::Flair;
use crate::http::escape;
use crate::script::{js_string, LEXICAL_JS};

/// The post types of the type tabs (the `type` query value).
pub(crate) fn post_type(query: Option<&str>) -> &'static str {
    match query.map(str::to_ascii_uppercase).as_deref() {
        Some("IMAGE") | Some("MEDIA") => "IMAGE",
        Some("LINK") => "LINK",
        _ => "TEXT",
    }
}

/// The composer page for `sub`.
pub(crate) fn submit_page(
    sub: &str,
    kind: &str,
    flairs: &[Flair],
    csrf: &str,
    viewer: &str,
    ui: u8,
) -> String {
    let mut flair_json = String::from("[");
    for (i, f) in flairs.iter().enumerate() {
        if i > 0 {
            flair_json.push(',');
        }
        let _ = write!(
            flair_json,
            "{{\"id\":{},\"text\":{}}}",
            js_string(&f.id),
            js_string(&f.text)
        );
    }
    flair_json.push(']');
    let content = format!(
        concat!(
            "<h1 id=\"create-post-heading\">Create post</h1>",
            "<r-post-composer-form subreddit-name=\"{sub}\" post-type=\"{kind}\" csrf-token=\"{csrf}\">",
            "<div class=\"community-picker\"><span id=\"community-name\">r/{sub}</span></div>",
            "<r-post-type-select selected=\"{kind}\"></r-post-type-select>",
            "<faceplate-textarea-input name=\"title\" label=\"Title\" maxlength=\"300\" required></faceplate-textarea-input>",
            "<r-post-flairs-modal subreddit-name=\"{sub}\"{required} data-flairs=\"{flairs}\"></r-post-flairs-modal>",
            "<div data-post-section=\"LINK\"><faceplate-textarea-input name=\"link\" label=\"Link URL\" required></faceplate-textarea-input></div>",
            "<div data-post-section=\"IMAGE\"><r-post-media-input></r-post-media-input></div>",
            "<shreddit-composer name=\"body\" placeholder=\"Body text (optional)\">",
            "<div slot=\"rte\" contenteditable=\"true\" role=\"textbox\" data-lexical-editor=\"true\" ",
            "aria-label=\"Post body text field\" aria-multiline=\"true\" spellcheck=\"true\"><p><br></p></div>",
            "</shreddit-composer>",
            "<div id=\"post-submit-error\" role=\"alert\" hidden></div>",
            "<div class=\"submit-row\"><r-post-form-submit-button id=\"submit-post-button\"></r-post-form-submit-button></div>",
            "</r-post-composer-form>",
        ),
        sub = escape(sub),
        kind = kind,
        csrf = escape(csrf),
        required = if flairs.is_empty() {
            ""
        } else {
            " flairs-required"
        },
        flairs = escape(&flair_json),
    );
    let (content, components) = super::drift::apply(ui, &content, COMPONENTS_JS);
    let scripts = format!(
        "<script>{LEXICAL_JS}</script><script>const ADD_FLAIR = {};\n{components}</script>",
        js_string(ADD_FLAIR)
    );
    layout(
        &format!("Submit to r/{sub}"),
        Some(viewer),
        &content,
        &scripts,
    )
}

const COMPONENTS_JS: &str = r#"
(() => {
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const fire = (el, name, detail) => el.dispatchEvent(new CustomEvent(name, { bubbles: true, composed: true, detail }));

class FaceplateTextareaInput extends HTMLElement {
  connectedCallback() {
    if (this.shadowRoot) return;
    const root = this.attachShadow({ mode: 'open' });
    const max = this.getAttribute('maxlength');
    const label = this.getAttribute('label') || '';
    root.innerHTML = `<style>:host{display:block;margin:8px 0}label{display:block;font-size:12px;color:#576f76}
      textarea{display:block;width:100%;box-sizing:border-box;font:inherit;padding:8px 12px;border:1px solid #ccc;border-radius:16px;resize:vertical;min-height:40px}
      #counter{font-size:12px;color:#576f76;text-align:right}</style>
      <label for="innerTextArea">${esc(label)}${this.hasAttribute('required') ? '<span aria-hidden="true">*</span>' : ''}</label>
      <textarea id="innerTextArea" name="${esc(this.getAttribute('name') || '')}" rows="1" aria-label="${esc(label)}"${max ? ` maxlength="${esc(max)}"` : ''}></textarea>
      ${max ? `<div id="counter" aria-live="polite">0/${esc(max)}</div>` : ''}`;
    const ta = root.getElementById('innerTextArea');
    ta.addEventListener('input', () => {
      const c = root.getElementById('counter');
      if (c) c.textContent = `${ta.value.length}/${max}`;
    });
  }
  get value() { return this.shadowRoot ? this.shadowRoot.getElementById('innerTextArea').value : ''; }
}

class RPostTypeSelect extends HTMLElement {
  connectedCallback() {
    if (this.shadowRoot) return;
    const root = this.attachShadow({ mode: 'open' });
    const selected = this.getAttribute('selected') || 'TEXT';
    const tabs = [['TEXT', 'Text'], ['IMAGE', 'Images & Video'], ['LINK', 'Link'], ['POLL', 'Poll']];
    root.innerHTML = `<style>[role=tablist]{display:flex;gap:4px;margin:8px 0}
      button{background:none;border:0;padding:8px 12px;font:inherit;font-weight:600;cursor:pointer;border-bottom:3px solid transparent}
      button[aria-selected=true]{border-bottom-color:#0045ac}button:disabled{color:#aaa}</style>
      <div role="tablist" aria-label="Post type">${tabs.map(([t, l]) =>
        `<button type="button" role="tab" id="${t.toLowerCase()}-tab" data-type="${t}" aria-selected="${t === selected}"${t === 'POLL' ? ' disabled aria-disabled="true"' : ''}>${esc(l)}</button>`).join('')}</div>`;
    root.addEventListener('click', (e) => {
      const b = e.target.closest('[data-type]');
      if (b && !b.disabled) this.select(b.dataset.type);
    });
  }
  select(type) {
    for (const b of this.shadowRoot.querySelectorAll('[data-type]')) b.setAttribute('aria-selected', String(b.dataset.type === type));
    this.setAttribute('selected', type);
    fire(this, 'post-type-change', { type });
  }
}

class RPostFlairsModal extends HTMLElement {
  connectedCallback() {
    if (this.shadowRoot) return;
    const flairs = JSON.parse(this.dataset.flairs || '[]');
    this.flairs = flairs;
    const required = this.hasAttribute('flairs-required');
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = `<style>:host{display:block;margin:8px 0}
      #reddit-post-flair-button{border:0;border-radius:20px;background:#e5ebee;padding:6px 12px;font:inherit;cursor:pointer}
      dialog{border:0;border-radius:16px;padding:16px;min-width:320px}label{display:flex;gap:8px;align-items:center;padding:6px 0}
      .actions{display:flex;justify-content:flex-end;gap:8px;margin-top:12px}</style>
      <button id="reddit-post-flair-button" type="button" aria-haspopup="dialog"><span id="flair-button-label">Add flair and tags</span>${required ? '<span class="required" aria-label="required">*</span>' : ''}</button>
      <dialog id="post-flair-modal" aria-labelledby="flair-modal-heading">
        <h2 id="flair-modal-heading">Add flair and tags</h2>
        <fieldset><legend>Flair</legend>${flairs.length
          ? flairs.map((f) => `<label class="flair-option"><input type="radio" name="flairId" value="${esc(f.id)}"><span class="flair-text">${esc(f.text)}</span></label>`).join('')
          : '<p class="no-flair">This community doesn\u2019t have post flair</p>'}</fieldset>
        <div class="actions"><button id="post-flair-modal-cancel-button" type="button">Cancel</button>
        <button id="post-flair-modal-apply-button" type="button" disabled>Add</button></div>
      </dialog>`;
    const dialog = root.getElementById('post-flair-modal');
    const apply = root.getElementById('post-flair-modal-apply-button');
    root.getElementById('reddit-post-flair-button').addEventListener('click', () => dialog.showModal());
    root.getElementById('post-flair-modal-cancel-button').addEventListener('click', () => dialog.close());
    root.addEventListener('change', (e) => { if (e.target.name === 'flairId') apply.disabled = false; });
    apply.addEventListener('click', () => {
      const checked = root.querySelector('input[name=flairId]:checked');
      const flair = checked && flairs.find((f) => f.id === checked.value);
      if (!flair) return;
      this.setAttribute('selected-flair-id', flair.id);
      root.getElementById('flair-button-label').textContent = flair.text;
      dialog.close();
      fire(this, 'flair-change', flair);
    });
  }
  get selectedFlairId() { return this.getAttribute('selected-flair-id') || ''; }
}

class RPostMediaInput extends HTMLElement {
  connectedCallback() {
    if (this.shadowRoot) return;
    this.items = [];
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = `<style>:host{display:block;margin:8px 0}#drop-zone{border:1px dashed #999;border-radius:16px;padding:24px;text-align:center}
      #fileInputInnerId{display:none}#previews{display:flex;flex-wrap:wrap;gap:8px;list-style:none;padding:0}
      #previews img,#previews video{width:96px;height:96px;object-fit:cover;border-radius:8px}.file-name{display:block;font-size:12px}</style>
      <div id="drop-zone">Drag and Drop or <button type="button" id="upload-button">Upload</button> Media</div>
      <input id="fileInputInnerId" type="file" multiple accept="image/*,video/*">
      <ul id="previews" aria-label="Uploaded media"></ul>
      <p id="media-error" role="alert" hidden></p>`;
    const input = root.getElementById('fileInputInnerId');
    root.getElementById('upload-button').addEventListener('click', () => input.click());
    input.addEventListener('change', () => {
      for (const f of Array.from(input.files)) this.add(f);
    });
    const zone = root.getElementById('drop-zone');
    zone.addEventListener('dragover', (e) => e.preventDefault());
    zone.addEventListener('drop', (e) => {
      e.preventDefault();
      for (const f of Array.from(e.dataTransfer.files)) this.add(f);
    });
  }
  add(file) {
    const root = this.shadowRoot;
    const error = root.getElementById('media-error');
    if (!/^(image|video)\//.test(file.type)) {
      error.textContent = `${file.name}: this file type is not supported`;
      error.hidden = false;
      return;
    }
    const li = document.createElement('li');
    li.className = 'preview';
    li.dataset.status = 'uploading';
    const url = URL.createObjectURL(file);
    li.innerHTML = (file.type.startsWith('video/') ? `<video src="${url}" muted></video>` : `<img src="${url}" alt="${esc(file.name)}">`)
      + `<span class="file-name">${esc(file.name)}</span><span class="status">Uploading\u2026</span>`;
    root.getElementById('previews').appendChild(li);
    const item = { name: file.name, id: null, status: 'uploading' };
    this.items.push(item);
    fire(this, 'media-change');
    fetch('/svc/shreddit/media-upload?filename=' + encodeURIComponent(file.name), {
      method: 'POST', body: file, credentials: 'same-origin',
      headers: { 'content-type': file.type || 'application/octet-stream' },
    })
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error('HTTP ' + r.status))))
      .then((j) => {
        item.id = j.id;
        item.status = 'done';
        li.dataset.status = 'done';
        li.dataset.uploadId = j.id;
        li.querySelector('.status').textContent = '';
      })
      .catch(() => {
        item.status = 'error';
        li.dataset.status = 'error';
        li.querySelector('.status').textContent = 'Upload failed';
      })
      .finally(() => fire(this, 'media-change'));
  }
  get uploading() { return (this.items || []).some((i) => i.status === 'uploading'); }
  get uploadIds() { return (this.items || []).filter((i) => i.status === 'done').map((i) => i.id); }
}

class ShredditComposer extends HTMLElement {
  connectedCallback() {
    if (this.shadowRoot) return;
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = `<style>:host{display:block;border:1px solid #ccc;border-radius:16px;margin:8px 0}
      .toolbar{display:flex;gap:4px;padding:4px 8px;border-bottom:1px solid #eee}.editor{position:relative}
      #placeholder{position:absolute;left:12px;top:8px;color:#888;pointer-events:none}
      ::slotted([slot=rte]){display:block;min-height:120px;padding:8px 12px;outline:none;white-space:pre-wrap}</style>
      <div class="toolbar" role="toolbar" aria-label="Formatting"><button type="button" aria-label="Bold">B</button><button type="button" aria-label="Italic">i</button></div>
      <div class="editor"><div id="placeholder" aria-hidden="true">${esc(this.getAttribute('placeholder') || '')}</div><slot name="rte"></slot></div>`;
    const rte = this.querySelector('[slot=rte]');
    this.editor = ReplicaLexical.attach(rte, {
      dir: 'ltr',
      onChange: (t) => {
        root.getElementById('placeholder').hidden = t !== '';
        fire(this, 'composer-change');
      },
    });
  }
  get bodyText() { return this.editor ? this.editor.text() : ''; }
}

class RPostFormSubmitButton extends HTMLElement {
  connectedCallback() {
    if (this.shadowRoot) return;
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = `<style>button{background:#0045ac;color:#fff;border:0;border-radius:20px;padding:8px 16px;font:inherit;font-weight:600;cursor:pointer}
      button:disabled{background:#e5ebee;color:#8ba2ad;cursor:default}</style>
      <button id="inner-post-submit-button" type="submit" disabled>Post</button>`;
    root.querySelector('button[type=submit]').addEventListener('click', (e) => {
      e.preventDefault();
      fire(this, 'submit-post');
    });
  }
  set disabled(v) { this.shadowRoot.querySelector('button[type=submit]').disabled = !!v; }
  get disabled() { return this.shadowRoot.querySelector('button[type=submit]').disabled; }
}

class RPostComposerForm extends HTMLElement {
  connectedCallback() {
    if (this.ready) return;
    this.ready = true;
    this.busy = false;
    this.addEventListener('input', () => this.refresh());
    this.addEventListener('composer-change', () => this.refresh());
    this.addEventListener('media-change', () => this.refresh());
    this.addEventListener('flair-change', () => { this.hideError(); this.refresh(); });
    this.addEventListener('post-type-change', (e) => this.setType(e.detail.type, false));
    this.addEventListener('submit-post', () => this.submit());
    this.setType(this.getAttribute('post-type') || 'TEXT', true);
  }
  part(sel) { return this.querySelector(sel); }
  get type() { return this.getAttribute('post-type'); }
  setType(type, initial) {
    this.setAttribute('post-type', type);
    for (const s of this.querySelectorAll('[data-post-section]')) s.hidden = s.dataset.postSection !== type;
    if (!initial) {
      const u = new URL(location.href);
      u.searchParams.set('type', type);
      history.replaceState(null, '', u);
    }
    this.refresh();
  }
  title() { return this.part('faceplate-textarea-input[name$=title]').value; }
  link() { return this.part('faceplate-textarea-input[name$=link], faceplate-textarea-input[name=url]').value; }
  refresh() {
    let ok = this.title().trim() !== '' && !this.busy;
    if (this.type === 'LINK') ok = ok && this.link().trim() !== '';
    if (this.type === 'IMAGE') {
      const media = this.part('r-post-media-input');
      ok = ok && !media.uploading && media.uploadIds.length > 0;
    }
    this.part('r-post-form-submit-button').disabled = !ok;
  }
  showError(message) {
    const e = this.part('#post-submit-error');
    e.textContent = message;
    e.hidden = false;
  }
  hideError() { this.part('#post-submit-error').hidden = true; }
  async submit() {
    if (this.busy) return;
    const flairs = this.part('r-post-flairs-modal');
    if (flairs.hasAttribute('flairs-required') && !flairs.selectedFlairId) {
      this.showError(ADD_FLAIR);
      return;
    }
    const kind = { TEXT: 'self', LINK: 'link', IMAGE: 'image' }[this.type] || 'self';
    const form = new URLSearchParams();
    form.set('sr', this.getAttribute('subreddit-name'));
    form.set('kind', kind);
    form.set('title', this.title());
    form.set('text', this.part('shreddit-composer').bodyText);
    if (kind === 'link') form.set('url', this.link());
    if (kind === 'image') form.set('media', this.part('r-post-media-input').uploadIds.join(','));
    form.set('flair_id', flairs.selectedFlairId);
    form.set('csrf_token', this.getAttribute('csrf-token'));
    this.busy = true;
    this.hideError();
    this.refresh();
    try {
      const r = await fetch('/svc/shreddit/submit', { method: 'POST', body: form, credentials: 'same-origin' });
      const j = await r.json();
      if (j.ok) {
        location.assign(j.redirect);
        return;
      }
      this.showError(j.message || 'Something went wrong');
    } catch (e) {
      this.showError('Something went wrong. Please try again.');
    }
    this.busy = false;
    this.refresh();
  }
}

customElements.define('faceplate-textarea-input', FaceplateTextareaInput);
customElements.define('r-post-type-select', RPostTypeSelect);
customElements.define('r-post-flairs-modal', RPostFlairsModal);
customElements.define('r-post-media-input', RPostMediaInput);
customElements.define('shreddit-composer', ShredditComposer);
customElements.define('r-post-form-submit-button', RPostFormSubmitButton);
customElements.define('r-post-composer-form', RPostComposerForm);
})();
"#;
