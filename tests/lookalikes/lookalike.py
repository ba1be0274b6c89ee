#!/usr/bin/env python3
"""Look-alike replicas of four social sites' posting flows (stdlib only).

    python3 lookalike.py SITE PORT      SITE: hackernews | x | reddit | reddit-old | instagram

Prints one JSON line on stdout when listening:
    {"site": ..., "url": "http://127.0.0.1:PORT/", "cookie": {"name": ..., "value": ...}}
State for verification: GET /__lookalike/posts   (POST /__lookalike/reset clears it)
"""
import base64
import html
import json
import random
import re
import secrets
import string
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

E = html.escape
DEMO_USER = "alice"
DEMO_PASS = "wonderland"


def now():
    return time.time()


def rand_token(n=32, alphabet=string.ascii_letters + string.digits):
    return "".join(secrets.choice(alphabet) for _ in range(n))


def b36(n):
    d = "0123456789abcdefghijklmnopqrstuvwxyz"
    s = ""
    while True:
        n, r = divmod(n, 36)
        s = d[r] + s
        if not n:
            return s


def nl(s):
    """Form submissions carry CRLF line ends; the typed text had LF."""
    return (s or "").replace("\r\n", "\n").replace("\r", "\n")


def js_json(obj):
    """JSON safe to embed inside a <script> element."""
    return (json.dumps(obj, ensure_ascii=False)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


# ---------------------------------------------------------------- HTTP plumbing

def parse_multipart(body, ctype):
    """Return (fields: {name: [str]}, files: [(field, filename, bytes, content_type)])."""
    m = re.search(r'boundary=(?:"([^"]+)"|([^;]+))', ctype)
    fields, files = {}, []
    if not m:
        return fields, files
    boundary = (m.group(1) or m.group(2)).strip().encode("latin-1")
    delim = b"--" + boundary
    for part in body.split(delim)[1:]:
        if part.startswith(b"--"):
            break
        if part.startswith(b"\r\n"):
            part = part[2:]
        head, sep, data = part.partition(b"\r\n\r\n")
        if not sep:
            continue
        if data.endswith(b"\r\n"):
            data = data[:-2]
        headers = {}
        for line in head.decode("utf-8", "surrogateescape").split("\r\n"):
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        disp = headers.get("content-disposition", "")
        nm = re.search(r'(?:^|;)\s*name="((?:[^"\\]|\\.)*)"', disp)
        fn = re.search(r'(?:^|;)\s*filename="((?:[^"\\]|\\.)*)"', disp)
        name = nm.group(1) if nm else ""

        def dec(s):
            s = s.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            return s.replace("%22", '"').replace("%0A", "\n").replace("%0D", "\r")
        name = dec(name)
        if fn is not None:
            files.append((name, dec(fn.group(1)), data, headers.get("content-type", "application/octet-stream")))
        else:
            fields.setdefault(name, []).append(data.decode("utf-8", "replace"))
    return fields, files


class Req:
    def __init__(self, h):
        self.h = h
        self.method = h.command
        u = urllib.parse.urlsplit(h.path)
        self.path = urllib.parse.unquote(u.path) or "/"
        self.raw_path = u.path or "/"
        self.qs = u.query
        self.query = {k: v[0] for k, v in urllib.parse.parse_qs(u.query, keep_blank_values=True).items()}
        self.headers = h.headers
        self.cookies = {}
        for chunk in (h.headers.get("Cookie") or "").split(";"):
            k, sep, v = chunk.strip().partition("=")
            if sep and k not in self.cookies:
                self.cookies[k] = v
        self._body = None
        self._form = None
        self.ip = h.client_address[0]

    @property
    def full_path(self):
        return self.raw_path + ("?" + self.qs if self.qs else "")

    def body(self):
        if self._body is None:
            n = int(self.headers.get("Content-Length") or 0)
            self._body = self.h.rfile.read(n) if n > 0 else b""
        return self._body

    def form(self):
        """(fields {name: [values]}, files) from urlencoded or multipart bodies."""
        if self._form is None:
            ct = self.headers.get("Content-Type") or ""
            if ct.startswith("multipart/form-data"):
                self._form = parse_multipart(self.body(), ct)
            elif ct.startswith("application/json"):
                try:
                    self._form = (json.loads(self.body().decode("utf-8") or "{}"), [])
                except ValueError:
                    self._form = ({}, [])
            else:
                d = urllib.parse.parse_qs(self.body().decode("utf-8", "replace"), keep_blank_values=True)
                self._form = (d, [])
        return self._form

    def f(self, name, default=""):
        fields = self.form()[0]
        v = fields.get(name)
        if isinstance(v, list):
            return v[0] if v else default
        return default if v is None else v

    def json(self):
        try:
            return json.loads(self.body().decode("utf-8") or "null")
        except ValueError:
            return None


class Resp:
    def __init__(self, body=b"", status=200, ctype="text/html; charset=utf-8"):
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.body, self.status, self.ctype = body, status, ctype
        self.headers = []

    def cookie(self, name, value, max_age=None, http_only=True, path="/"):
        c = "%s=%s; Path=%s; SameSite=Lax" % (name, value, path)
        if http_only:
            c += "; HttpOnly"
        if max_age is not None:
            c += "; Max-Age=%d" % max_age
        self.headers.append(("Set-Cookie", c))
        return self


def redirect(loc, status=302):
    r = Resp(b"", status)
    r.headers.append(("Location", loc))
    return r


def jresp(obj, status=200):
    return Resp(json.dumps(obj, ensure_ascii=False), status, "application/json; charset=utf-8")


def text_resp(s, status=200):
    return Resp(s, status, "text/plain; charset=utf-8")


def not_found(msg="Not Found"):
    return Resp("<!doctype html><title>404</title><h1>%s</h1>" % E(msg), 404)


# ---------------------------------------------------------------- site base

class Site:
    name = "?"
    cookie_name = "session"

    def __init__(self, port):
        self.port = port
        self.base = "http://127.0.0.1:%d/" % port
        self.lock = threading.RLock()
        self.sessions = {}
        self.users = {DEMO_USER: DEMO_PASS}
        self.posts = []          # the verification record, oldest first
        self.failed_logins = {}
        self.setup()
        self.demo_cookie = self.new_session(DEMO_USER)

    def setup(self):
        pass

    def make_token(self, user):
        return rand_token(40)

    def new_session(self, user):
        tok = self.make_token(user)
        with self.lock:
            self.sessions[tok] = user
        return tok

    def user(self, req):
        return self.sessions.get(req.cookies.get(self.cookie_name, ""))

    def abs(self, path):
        return self.base.rstrip("/") + path

    def record(self, **kw):
        rec = dict(id=None, site=self.name, kind=None, author=DEMO_USER, text=None, title=None, url=None,
                   subreddit=None, flair=None, media=[], thread=None, public_url=None, created=now())
        rec.update(kw)
        with self.lock:
            self.posts.append(rec)
        return rec

    def reset(self):
        with self.lock:
            self.posts.clear()
            self.failed_logins.clear()
            self.on_reset()

    def on_reset(self):
        pass

    def dispatch(self, req):
        if req.path.startswith("/__lookalike/"):
            if req.path == "/__lookalike/posts":
                with self.lock:
                    return jresp(self.posts)
            if req.path == "/__lookalike/reset" and req.method == "POST":
                self.reset()
                return jresp({"ok": True})
            if req.path == "/__lookalike/session":
                return jresp({"name": self.cookie_name, "value": self.demo_cookie})
            return not_found()
        if req.path == "/favicon.ico":
            return Resp(b"", 204)
        return self.handle(req)

    def handle(self, req):
        return not_found()


def make_handler(site):
    class H(BaseHTTPRequestHandler):
        server_version = "nginx"
        sys_version = ""

        def log_message(self, fmt, *args):
            sys.stderr.write("[%s] %s\n" % (site.name, fmt % args))

        def _go(self):
            req = Req(self)
            try:
                resp = site.dispatch(req)
            except Exception as ex:  # keep serving; show an error page
                import traceback
                traceback.print_exc()
                resp = Resp("<!doctype html><h1>Something went wrong</h1><pre>%s</pre>" % E(repr(ex)), 500)
            if req.method in ("POST", "PUT") and req._body is None:
                req.body()
            self.send_response(resp.status)
            self.send_header("Content-Type", resp.ctype)
            self.send_header("Content-Length", str(len(resp.body)))
            self.send_header("Cache-Control", "no-store")
            for k, v in resp.headers:
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(resp.body)

        do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = _go

    return H


# ================================================================ Hacker News

HN_CSS = """
body{font-family:Verdana,Geneva,sans-serif;font-size:10pt;color:#828282;margin:8px}
td{font-family:Verdana,Geneva,sans-serif;font-size:10pt;color:#828282}
.admin td,.subtext td,input[type=submit],input[type=text],textarea{font-family:Verdana,Geneva,sans-serif;font-size:10pt;color:#000}
a:link,a:visited{color:#000;text-decoration:none}
.pagetop{font-size:10pt;color:#222}.pagetop a:visited{color:#000}
.hnname{margin-right:5px}.title{font-size:10pt;color:#828282}.titleline{font-size:10pt}
.subtext,.subline{font-size:7pt;color:#828282}.subtext a:link,.subtext a:visited{color:#828282}
.sitestr{font-size:8pt}.rank{color:#828282}.votearrow{width:10px;height:10px;border:0;margin:3px 2px 6px;
 background:url("data:image/svg+xml;utf8,<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'><path d='M5 0L10 10H0z' fill='%23999'/></svg>") no-repeat}
.toptext{color:#000}.hnmore a{color:#828282}.commtext{color:#000}
#hnmain{background:#f6f6ef}.err{color:#c00}
"""


class HackerNews(Site):
    name = "hackernews"
    cookie_name = "user"

    def setup(self):
        self.items = {}            # id -> story dict
        self.order = []            # ids oldest first
        self.fnids = {}            # fnid -> (user, issued, used)
        self.last_submit = {}      # user -> time of last accepted submission
        self.next_id = 43117000 + random.randint(0, 900)
        seeds = [
            ("carol", "Show HN: A tiny Lisp that fits in a QR code", "https://github.com/example/qrlisp", ""),
            ("dang", "The unreasonable effectiveness of plain text", "https://example.com/plain-text", ""),
            ("pg", "Ask HN: What are you working on this month?", "", "Curious what side projects people have going."),
            ("tptacek", "SQLite is not a toy database", "https://www.sqlite.org/whentouse.html", ""),
            ("bob", "Rust 1.90 released", "https://blog.rust-lang.org/2025/09/18/Rust-1.90.0/", ""),
        ]
        t0 = now() - 3600 * 6
        for i, (u, title, url, text) in enumerate(seeds):
            self.add_item(u, title, url, text, created=t0 + i * 1700, points=random.randint(3, 300))

    def on_reset(self):
        self.last_submit.clear()

    def make_token(self, user):
        return "%s&%s" % (user, rand_token(24))

    def add_item(self, user, title, url, text, created=None, points=1):
        with self.lock:
            iid = self.next_id
            self.next_id += random.randint(1, 9)
            self.items[iid] = dict(id=iid, by=user, title=title, url=url, text=text,
                                   time=created or now(), points=points)
            self.order.append(iid)
        return self.items[iid]

    # ---- rendering helpers
    def page(self, req, body, title="Hacker News", op="news", nav=True):
        user = self.user(req)
        goto = urllib.parse.quote(req.full_path.lstrip("/") or "news", safe="")
        if user:
            right = ('<span class="pagetop"><a id="me" href="user?id=%s">%s</a> (%d) | '
                     '<a id="logout" rel="nofollow" href="logout?auth=%s&amp;goto=%s">logout</a></span>'
                     % (E(user), E(user), 1 + sum(1 for i in self.items.values() if i["by"] == user),
                        rand_token(16, "0123456789abcdef"), goto))
        else:
            right = '<span class="pagetop"><a href="login?goto=%s">login</a></span>' % goto
        header = ""
        if nav:
            header = ('<tr><td bgcolor="#ff6600"><table border="0" cellpadding="0" cellspacing="0" width="100%%" style="padding:2px">'
                      '<tr><td style="width:18px;padding-right:4px"><a href="news"><img src="y18.svg" width="18" height="18" '
                      'style="border:1px white solid; display:block" alt=""></a></td>'
                      '<td style="line-height:12pt; height:10px;"><span class="pagetop"><b class="hnname"><a href="news">Hacker News</a></b>'
                      '<a href="newest">new</a> | <a href="front">past</a> | <a href="newcomments">comments</a> | '
                      '<a href="ask">ask</a> | <a href="show">show</a> | <a href="jobs">jobs</a> | '
                      '<a href="submit" rel="nofollow">submit</a></span></td>'
                      '<td style="text-align:right;padding-right:4px;">%s</td></tr></table></td></tr>'
                      '<tr id="pagespace" title="%s" style="height:10px"></tr>' % (right, E(title if title != "Hacker News" else "")))
        footer = ('<tr><td><img src="s.gif" height="10" width="0" alt=""><table width="100%" cellspacing="0" cellpadding="1">'
                  '<tr><td bgcolor="#ff6600"></td></tr></table><br><center><span class="yclinks">'
                  '<a href="newsguidelines.html">Guidelines</a> | <a href="newsfaq.html">FAQ</a> | <a href="lists">Lists</a> | '
                  '<a href="https://github.com/HackerNews/API">API</a> | <a href="security.html">Security</a> | '
                  '<a href="https://www.ycombinator.com/legal/">Legal</a> | <a href="https://www.ycombinator.com/apply/">Apply to YC</a> | '
                  '<a href="mailto:hn@ycombinator.com">Contact</a></span><br><br>'
                  '<form method="get" action="//hn.algolia.com/">Search: <input type="text" name="q" size="17" '
                  'autocorrect="off" spellcheck="false" autocapitalize="off" autocomplete="off"></form></center></td></tr>')
        return Resp('<!DOCTYPE html><html lang="en" op="%s"><head><meta name="referrer" content="origin">'
                    '<meta name="viewport" content="width=device-width, initial-scale=1.0"><style>%s</style>'
                    '<title>%s</title></head><body><center><table id="hnmain" border="0" cellpadding="0" cellspacing="0" '
                    'width="85%%" bgcolor="#f6f6ef">%s<tr><td>%s</td></tr>%s</table></center></body></html>'
                    % (op, HN_CSS, E(title), header, body, footer if nav else ""))

    def age(self, t):
        d = int(now() - t)
        if d < 3600:
            return "%d minute%s ago" % (d // 60, "" if d // 60 == 1 else "s")
        if d < 86400:
            return "%d hour%s ago" % (d // 3600, "" if d // 3600 == 1 else "s")
        return "%d days ago" % (d // 86400)

    def story_rows(self, req, ids, rank_from=1, goto="news"):
        out = []
        user = self.user(req)
        for n, iid in enumerate(ids):
            it = self.items[iid]
            href = it["url"] or "item?id=%d" % iid
            site = ""
            if it["url"]:
                host = urllib.parse.urlsplit(it["url"]).hostname or ""
                host = host[4:] if host.startswith("www.") else host
                site = (' <span class="sitebit comhead"> (<a href="from?site=%s"><span class="sitestr">%s</span></a>)</span>'
                        % (E(host), E(host)))
            vote = ("" if user == it["by"] else
                    '<a id="up_%d" href="vote?id=%d&amp;how=up&amp;goto=%s"><div class="votearrow" title="upvote"></div></a>'
                    % (iid, iid, goto))
            out.append(
                '<tr class="athing submission" id="%d"><td align="right" valign="top" class="title"><span class="rank">%d.</span></td>'
                '<td valign="top" class="votelinks"><center>%s</center></td><td class="title"><span class="titleline">'
                '<a href="%s" rel="nofollow">%s</a>%s</span></td></tr>'
                '<tr><td colspan="2"></td><td class="subtext"><span class="subline"><span class="score" id="score_%d">%d point%s</span> '
                'by <a href="user?id=%s" class="hnuser">%s</a> <span class="age" title="%s"><a href="item?id=%d">%s</a></span> '
                '<span id="unv_%d"></span> | <a href="hide?id=%d&amp;goto=%s">hide</a> | <a href="item?id=%d">discuss</a></span></td></tr>'
                '<tr class="spacer" style="height:5px"></tr>'
                % (iid, rank_from + n, vote, E(href), E(it["title"]), site, iid, it["points"], "" if it["points"] == 1 else "s",
                   E(it["by"]), E(it["by"]), time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(it["time"])), iid,
                   self.age(it["time"]), iid, iid, goto, iid))
        return ('<table border="0" cellpadding="0" cellspacing="0">%s<tr class="morespace" style="height:10px"></tr>'
                '<tr><td colspan="2"></td><td class="title"><a href="?p=2" class="morelink" rel="next">More</a></td></tr></table>'
                % "".join(out))

    def login_forms(self, goto, msg=""):
        return ('%s<b>Login</b><br><br><form action="login" method="post"><input type="hidden" name="goto" value="%s">'
                '<table border="0"><tr><td>username:</td><td><input type="text" name="acct" size="20" autocorrect="off" '
                'spellcheck="false" autocapitalize="off" autofocus="true"></td></tr><tr><td>password:</td><td>'
                '<input type="password" name="pw" size="20"></td></tr></table><br><input type="submit" value="login"></form>'
                '<a href="forgot">Forgot your password?</a><br><br><b>Create Account</b><br><br>'
                '<form action="login" method="post"><input type="hidden" name="creating" value="t">'
                '<input type="hidden" name="goto" value="%s"><table border="0"><tr><td>username:</td><td>'
                '<input type="text" name="acct" size="20" autocorrect="off" spellcheck="false" autocapitalize="off"></td></tr>'
                '<tr><td>password:</td><td><input type="password" name="pw" size="20"></td></tr></table><br>'
                '<input type="submit" value="create account"></form>' % (msg, E(goto), E(goto)))

    def bare(self, html_body):
        return Resp('<!DOCTYPE html><html lang="en"><head><meta name="referrer" content="origin">'
                    '<meta name="viewport" content="width=device-width, initial-scale=1.0"><style>%s</style></head>'
                    '<body>%s</body></html>' % (HN_CSS, html_body))

    def submit_form(self, req, user, err="", title="", url="", text=""):
        fnid = rand_token(22)
        with self.lock:
            self.fnids[fnid] = [user, now(), False]
        errhtml = '<tr><td colspan="2" class="err">%s</td></tr><tr style="height:10px"></tr>' % E(err) if err else ""
        body = ('<table border="0">%s</table><form action="r" method="post">'
                '<script type="text/javascript">function tlen(el){var n=el.value.length-80;'
                'el.nextSibling.innerText=n>0?n+" too long":"";}</script>'
                '<table border="0"><tr><td>title</td><td><input type="text" name="title" value="%s" size="50" '
                'oninput="tlen(this)" onfocus="tlen(this)"><span style="margin-left:10px"></span></td></tr>'
                '<tr><td>url</td><td><input type="text" name="url" value="%s" size="50"></td></tr>'
                '<tr><td>text</td><td><textarea name="text" rows="4" cols="49" wrap="virtual">%s</textarea></td></tr>'
                '<tr><td></td><td><input type="submit" value="submit"></td></tr>'
                '<tr style="height:20px"></tr><tr><td></td><td>Leave url blank to submit a question for discussion. '
                'If there is no url, text will appear at the top of the thread. If there is a url, text is optional.'
                '<br><br>You can also submit via <a href="bookmarklet.html" rel="nofollow"><u>bookmarklet</u></a>.</td></tr>'
                '</table><input type="hidden" name="fnop" value="submit-page"><input type="hidden" name="fnid" value="%s"></form>'
                % (errhtml, E(title), E(url), E(text), fnid))
        return self.page(req, body, "Submit | Hacker News", op="submit")

    def norm_url(self, u):
        u = u.strip()
        p = urllib.parse.urlsplit(u)
        host = (p.hostname or "").lower()
        if host.startswith("www."):
            host = host[4:]
        return (host, p.path.rstrip("/"), p.query)

    # ---- routes
    def handle(self, req):
        p = req.path
        user = self.user(req)
        if p in ("/", "/news", "/front"):
            ids = sorted(self.order, key=lambda i: -(self.items[i]["points"] / (now() - self.items[i]["time"] + 7200) ** 1.5))
            return self.page(req, self.story_rows(req, ids[:30]))
        if p == "/newest":
            ids = sorted(self.order, key=lambda i: -self.items[i]["time"])
            return self.page(req, self.story_rows(req, ids[:30], goto="newest"), "New Links | Hacker News", op="newest")
        if p in ("/ask", "/show", "/jobs", "/newcomments"):
            ids = [i for i in reversed(self.order) if (p == "/ask" and not self.items[i]["url"]) or
                   (p == "/show" and self.items[i]["title"].startswith("Show HN"))]
            return self.page(req, self.story_rows(req, ids), op=p[1:])
        if p == "/submitted":
            who = req.query.get("id", "")
            ids = sorted([i for i in self.order if self.items[i]["by"] == who], key=lambda i: -self.items[i]["time"])
            return self.page(req, self.story_rows(req, ids, goto="submitted%3Fid%3D" + urllib.parse.quote(who)),
                             "%s's submissions | Hacker News" % who, op="submitted")
        if p == "/item":
            try:
                iid = int(req.query.get("id", ""))
                it = self.items[iid]
            except (ValueError, KeyError):
                return self.bare("No such item.")
            paras = "".join("<p>%s</p>" % E(x).replace("\n", " ") for x in re.split(r"\n\s*\n", it["text"]) if x.strip())
            body = ('<table class="fatitem" border="0">%s<tr><td colspan="2"></td><td><div class="toptext">%s</div></td></tr>'
                    '<tr style="height:10px"></tr><tr><td colspan="2"></td><td><form action="comment" method="post">'
                    '<input type="hidden" name="parent" value="%d"><input type="hidden" name="goto" value="item?id=%d">'
                    '<input type="hidden" name="hmac" value="%s"><textarea name="text" rows="8" cols="80" wrap="virtual"></textarea>'
                    '<br><br><input type="submit" value="add comment"></form></td></tr></table><br><br>'
                    '<table border="0" class="comment-tree"></table>'
                    % (self.story_rows(req, [iid]).replace('<table border="0" cellpadding="0" cellspacing="0">', "", 1)
                       .split('<tr class="morespace"')[0], paras, iid, iid, rand_token(40, "0123456789abcdef")))
            return self.page(req, body, "%s | Hacker News" % it["title"], op="item")
        if p == "/user":
            who = req.query.get("id", "")
            if who not in self.users and not any(i["by"] == who for i in self.items.values()):
                return self.bare("No such user.")
            body = ('<table border="0"><tr class="athing"><td valign="top">user:</td><td><a href="user?id=%s" class="hnuser">%s</a></td></tr>'
                    '<tr><td valign="top">created:</td><td>March 14, 2019</td></tr><tr><td valign="top">karma:</td><td>%d</td></tr>'
                    '<tr><td valign="top">about:</td><td></td></tr><tr><td></td><td><a href="submitted?id=%s"><u>submissions</u></a></td></tr>'
                    '<tr><td></td><td><a href="threads?id=%s"><u>comments</u></a></td></tr></table>'
                    % (E(who), E(who), 1 + sum(1 for i in self.items.values() if i["by"] == who), E(who), E(who)))
            return self.page(req, body, "Profile: %s | Hacker News" % who, op="user")
        if p == "/login":
            return self.login(req)
        if p == "/logout":
            with self.lock:
                self.sessions.pop(req.cookies.get(self.cookie_name, ""), None)
            return redirect(req.query.get("goto") or "news").cookie(self.cookie_name, "", 0)
        if p == "/submit":
            if not user:
                return self.bare(self.login_forms("submit", "You have to be logged in to submit.<br><br>"))
            return self.submit_form(req, user, title=req.query.get("t", ""), url=req.query.get("u", ""))
        if p == "/r" and req.method == "POST":
            return self.post_r(req, user)
        if p == "/vote":
            return redirect(req.query.get("goto") or "news")
        if p in ("/y18.svg", "/s.gif"):
            return Resp('<svg xmlns="http://www.w3.org/2000/svg" width="18" height="18"><rect width="18" height="18" fill="#f60"/>'
                        '<text x="4.5" y="14" font-size="13" fill="#fff" font-family="Verdana">Y</text></svg>', 200, "image/svg+xml")
        if p == "/comment":
            return self.bare("Comments are disabled on this replica.")
        return self.bare("Unknown.") if p.endswith(".html") else not_found()

    def login(self, req):
        goto = req.f("goto") if req.method == "POST" else req.query.get("goto", "news")
        goto = goto or "news"
        fails = self.failed_logins.get(req.ip, 0)
        if req.method != "POST":
            if fails >= 5:
                return self.validation_page(goto)
            return self.bare(self.login_forms(goto))
        acct, pw = req.f("acct").strip(), req.f("pw")
        if req.f("creating") == "t":
            if acct in self.users:
                return self.bare(self.login_forms(goto, "That username is taken. Please choose another.<br><br>"))
            if not re.fullmatch(r"[A-Za-z0-9_-]{2,15}", acct) or len(pw) < 8:
                return self.bare(self.login_forms(goto, "Usernames can only contain letters, digits, dashes and underscores, "
                                                        "and should be between 2 and 15 characters long. Please choose another.<br><br>"))
            with self.lock:
                self.users[acct] = pw
        if fails >= 5 and not req.f("g-recaptcha-response"):
            return self.validation_page(goto)
        if self.users.get(acct) != pw:
            with self.lock:
                self.failed_logins[req.ip] = fails + 1
            return self.bare("Bad login.<br><br>" + self.login_forms(goto))
        with self.lock:
            self.failed_logins.pop(req.ip, None)
        tok = self.new_session(acct)
        if not re.match(r"^[A-Za-z0-9?=&%._/-]*$", goto) or goto.startswith("//"):
            goto = "news"
        return redirect(goto).cookie(self.cookie_name, tok, 365 * 86400)

    def validation_page(self, goto):
        return self.bare('<b>Validation required.</b> If this doesn\'t work, you can email '
                         '<a href="mailto:hn@ycombinator.com">hn@ycombinator.com</a> for help.<br><br>'
                         '<form action="login" method="post"><input type="hidden" name="goto" value="%s">'
                         '<input type="hidden" name="acct"><input type="hidden" name="pw">'
                         '<div class="g-recaptcha" data-sitekey="6LfqA6gUAAAAAHUsj0mGJ9H7uLhRx2hbQVdtBH_b" '
                         'style="width:304px;height:78px;border:1px solid #d3d3d3;background:#f9f9f9">'
                         '<iframe title="reCAPTCHA" src="about:blank" width="304" height="78"></iframe></div>'
                         '<br><input type="submit" value="submit"></form>' % E(goto))

    def post_r(self, req, user):
        fnid = req.f("fnid")
        with self.lock:
            ent = self.fnids.get(fnid)
            if not ent or ent[2] or now() - ent[1] > 3 * 3600 or (ent[0] != user):
                return self.bare("Unknown or expired link.")
            ent[2] = True
        if not user:
            return self.bare(self.login_forms("submit", "You have to be logged in to submit.<br><br>"))
        title = nl(req.f("title")).strip()
        url = req.f("url").strip()
        text = nl(req.f("text"))
        if len(title) > 80:
            return self.submit_form(req, user, "Please make title < 80 characters.", title, url, text)
        if not title:
            return self.submit_form(req, user, "Please enter a title.", title, url, text)
        if not url and not text.strip():
            return self.submit_form(req, user, "Please fill in a url or some text.", title, url, text)
        if url and not re.match(r"^https?://[^\s/]+\.[^\s]*$", url, re.I):
            return self.submit_form(req, user, "That doesn't look like a valid URL.", title, url, text)
        with self.lock:
            if url:
                key = self.norm_url(url)
                for iid in self.order:
                    if self.items[iid]["url"] and self.norm_url(self.items[iid]["url"]) == key:
                        self.items[iid]["points"] += 1
                        return redirect("item?id=%d" % iid)
            if now() - self.last_submit.get(user, 0) < 5:
                return self.bare("You're submitting too fast. Please slow down. Thanks.")
            self.last_submit[user] = now()
            it = self.add_item(user, title, url, text)
        self.record(id=str(it["id"]), kind="link" if url else "text", text=text, title=title, url=url or None,
                    public_url=self.abs("/item?id=%d" % it["id"]))
        return redirect("newest")


# ================================================================ shared rich-text engine (browser JS)
# A model-first contenteditable: the text lives in `blocks` (one string per paragraph); every edit arrives
# as a beforeinput/paste event, is applied to the model, and the DOM is re-rendered from the model by a
# site-specific renderer.  Native edits that bypass beforeinput (execCommand, IME) are read back from the
# DOM on `input` (with a per-site policy).

EDITOR_JS = r"""
(function (G) {
  'use strict';
  var SEG = null;
  try { SEG = new Intl.Segmenter(undefined, {granularity: 'grapheme'}); } catch (e) { SEG = null; }
  function gBefore(s, i) {
    if (i <= 0) return 0;
    if (SEG) { var st = 0, it = SEG.segment(s.slice(0, i))[Symbol.iterator](), r;
      while (!(r = it.next()).done) st = r.value.index; return st; }
    var c = s.charCodeAt(i - 1); return (c >= 0xDC00 && c <= 0xDFFF && i > 1) ? i - 2 : i - 1;
  }
  function gAfter(s, i) {
    if (i >= s.length) return s.length;
    if (SEG) { var r = SEG.segment(s.slice(i))[Symbol.iterator]().next(); if (!r.done) return i + r.value.segment.length; }
    var c = s.charCodeAt(i); return (c >= 0xD800 && c <= 0xDBFF) ? i + 2 : i + 1;
  }
  function wBefore(s, i) { var j = i; while (j > 0 && /\s/.test(s[j - 1])) j--; while (j > 0 && !/\s/.test(s[j - 1])) j--; return j; }
  function wAfter(s, i) { var j = i; while (j < s.length && /\s/.test(s[j])) j++; while (j < s.length && !/\s/.test(s[j])) j++; return j; }
  function cmp(a, b) { return (a.b - b.b) || (a.o - b.o); }
  function norm(t) { return String(t == null ? '' : t).replace(/\r\n?/g, '\n'); }
  function cps(s) { return Array.from(s).length; }

  /* read lines back from an arbitrary DOM (used after native, un-modelled edits) */
  function readLines(root, isBlock) {
    var lines = [], cur = null;
    function push() { if (cur !== null) lines.push(cur); cur = null; }
    function walk(n) {
      for (var c = n.firstChild; c; c = c.nextSibling) {
        if (c.nodeType === 3) {
          var parts = c.data.split('\n');
          for (var k = 0; k < parts.length; k++) { if (k) { lines.push(cur || ''); cur = null; } if (parts[k] || k) cur = (cur || '') + parts[k]; }
        } else if (c.nodeType === 1) {
          if (c.nodeName === 'BR') { lines.push(cur || ''); cur = null; }
          else if (/^(DIV|P|LI|H[1-6]|BLOCKQUOTE|PRE|UL|OL)$/.test(c.nodeName) || (isBlock && isBlock(c))) { push(); walk(c); push(); }
          else walk(c);
        }
      }
    }
    walk(root); push();
    return lines.length ? lines : [''];
  }

  function Engine(host, opts) {
    this.host = host; this.opts = opts || {}; this.blocks = ['']; this.caret = {b: 0, o: 0};
    this.pending = false; this.keys = [];
    var me = this;
    host.addEventListener('beforeinput', function (e) { me.onBeforeInput(e); });
    host.addEventListener('input', function (e) { me.onInput(e); });
    host.addEventListener('paste', function (e) { me.onPaste(e); });
    host.addEventListener('drop', function (e) { e.preventDefault(); });
    host.addEventListener('compositionend', function () { setTimeout(function () { if (!me.pending) me.reconcile(); }, 0); });
    host.addEventListener('keydown', function (e) { if (me.opts.onKeyDown) me.opts.onKeyDown(e, me); });
    host.addEventListener('focus', function () { if (me.opts.onFocus) me.opts.onFocus(me); });
    this._sc = function () { me.trackSelection(); };
    document.addEventListener('selectionchange', this._sc);
    this.render();
  }
  Engine.prototype.container = function () { return this.opts.container ? this.opts.container(this.host) : this.host; };
  Engine.prototype.blockEls = function () {
    var c = this.container(), f = this.opts.isBlock; if (!c) return [];
    return Array.prototype.filter.call(c.children, function (x) { return f(x); });
  };
  Engine.prototype.text = function () { return this.blocks.join('\n'); };
  Engine.prototype.isEmpty = function () { return this.blocks.length === 1 && this.blocks[0] === ''; };
  Engine.prototype.domToPos = function (node, off) {
    var els = this.blockEls(), B = this.blocks;
    if (!els.length) return {b: 0, o: 0};
    for (var i = 0; i < els.length && i < B.length; i++) {
      var r = document.createRange(); r.selectNodeContents(els[i]); var c;
      try { c = r.comparePoint(node, off); } catch (e) { c = 1; }
      if (c < 0) return {b: i, o: 0};
      if (c === 0) { r.setEnd(node, off); return {b: i, o: Math.min(B[i].length, r.toString().length)}; }
    }
    var l = Math.min(els.length, B.length) - 1; return {b: l, o: B[l].length};
  };
  Engine.prototype.selRange = function () {
    var s = document.getSelection();
    if (!s || !s.rangeCount || !this.host.contains(s.anchorNode)) return {s: this.caret, e: this.caret};
    var r = s.getRangeAt(0), a = this.domToPos(r.startContainer, r.startOffset), f = this.domToPos(r.endContainer, r.endOffset);
    return cmp(a, f) <= 0 ? {s: a, e: f} : {s: f, e: a};
  };
  Engine.prototype.trackSelection = function () {
    var s = document.getSelection();
    if (s && s.rangeCount && this.host.contains(s.anchorNode) && !this.pending) this.caret = this.selRange().e;
  };
  Engine.prototype.rangeFromEvent = function (e) {
    var rs = (e && e.getTargetRanges) ? e.getTargetRanges() : null;
    if (rs && rs.length) {
      var r = rs[0], a = this.domToPos(r.startContainer, r.startOffset), f = this.domToPos(r.endContainer, r.endOffset);
      return cmp(a, f) <= 0 ? {s: a, e: f} : {s: f, e: a};
    }
    return this.selRange();
  };
  Engine.prototype.between = function (s, e) {
    if (s.b === e.b) return this.blocks[s.b].slice(s.o, e.o);
    var out = [this.blocks[s.b].slice(s.o)];
    for (var i = s.b + 1; i < e.b; i++) out.push(this.blocks[i]);
    out.push(this.blocks[e.b].slice(0, e.o)); return out.join('\n');
  };
  Engine.prototype.replace = function (rg, text) {
    text = norm(text);
    if (this.opts.filter) text = this.opts.filter(text);
    var s = rg.s, e = rg.e, B = this.blocks;
    if (this.opts.maxLength) {
      var room = this.opts.maxLength - (cps(this.text()) - cps(this.between(s, e)));
      if (cps(text) > room) text = Array.from(text).slice(0, Math.max(0, room)).join('');
    }
    var lines = text.split('\n'), before = B[s.b].slice(0, s.o), after = B[e.b].slice(e.o);
    var nb = lines.slice(); nb[0] = before + nb[0];
    var tail = nb[nb.length - 1].length; nb[nb.length - 1] += after;
    var oldKeys = this.keys;
    this.keys = oldKeys.slice(0, s.b + 1).concat(new Array(nb.length - 1), oldKeys.slice(e.b + 1));
    this.blocks = B.slice(0, s.b).concat(nb, B.slice(e.b + 1));
    this.caret = {b: s.b + lines.length - 1, o: tail};
  };
  Engine.prototype.del = function (rg, dir, unit) {
    if (cmp(rg.s, rg.e) !== 0) return this.replace(rg, '');
    var p = rg.s, B = this.blocks, t = B[p.b];
    if (dir < 0) {
      if (p.o === 0) { if (p.b > 0) this.replace({s: {b: p.b - 1, o: B[p.b - 1].length}, e: p}, ''); return; }
      var o = unit === 'word' ? wBefore(t, p.o) : unit === 'line' ? 0 : gBefore(t, p.o);
      this.replace({s: {b: p.b, o: o}, e: p}, '');
    } else {
      if (p.o >= t.length) { if (p.b < B.length - 1) this.replace({s: p, e: {b: p.b + 1, o: 0}}, ''); return; }
      var q = unit === 'word' ? wAfter(t, p.o) : unit === 'line' ? t.length : gAfter(t, p.o);
      this.replace({s: p, e: {b: p.b, o: q}}, '');
    }
  };
  Engine.prototype.onBeforeInput = function (e) {
    var t = e.inputType || '';
    if (t === 'insertCompositionText') return;
    if (/^(history|format)/.test(t)) { e.preventDefault(); return; }
    var rg = this.rangeFromEvent(e), handled = true;
    if (t === 'insertParagraph' || t === 'insertLineBreak') this.replace(rg, '\n');
    else if (t.indexOf('insert') === 0) {
      var d = e.data; if (d == null && e.dataTransfer) d = e.dataTransfer.getData('text/plain');
      this.replace(rg, d || '');
    } else if (t.indexOf('delete') === 0) {
      if (cmp(rg.s, rg.e) !== 0 || !/Backward|Forward/.test(t)) this.replace(rg, '');
      else this.del(rg, /Backward/.test(t) ? -1 : 1, /Word/.test(t) ? 'word' : /Line/.test(t) ? 'line' : 'char');
    } else handled = false;
    if (!handled) return;
    if (e.cancelable) { e.preventDefault(); this.commit(); }
    else this.pending = true;        /* the browser edits the DOM anyway; we overwrite it on `input` */
  };
  Engine.prototype.onInput = function () {
    if (this.pending) { this.pending = false; this.commit(); return; }
    this.reconcile();
  };
  Engine.prototype.onPaste = function (e) {
    e.preventDefault();
    var d = e.clipboardData ? e.clipboardData.getData('text/plain') : '';
    if (!d) return;
    this.replace(this.selRange(), d); this.commit();
  };
  Engine.prototype.reconcile = function () {
    var lines = readLines(this.container(), this.opts.isBlock);
    if (this.opts.dropBlankOnReconcile) { lines = lines.filter(function (l) { return l !== ''; }); if (!lines.length) lines = ['']; }
    if (this.opts.maxLength) { var t = Array.from(lines.join('\n')).slice(0, this.opts.maxLength).join(''); lines = t.split('\n'); }
    this.blocks = lines; this.keys = [];
    this.caret = {b: lines.length - 1, o: lines[lines.length - 1].length};
    this.commit();
  };
  Engine.prototype.render = function () {
    for (var i = 0; i < this.blocks.length; i++) if (!this.keys[i]) this.keys[i] = Math.random().toString(36).slice(2, 7);
    this.opts.render(this.container(), this.blocks, this);
  };
  Engine.prototype.hasFocus = function () { var a = document.activeElement; return a === this.host || this.host.contains(a); };
  Engine.prototype.commit = function () {
    var f = this.hasFocus(); this.render(); if (f) this.placeCaret();
    if (this.opts.onChange) this.opts.onChange(this);
  };
  Engine.prototype.posToDom = function (p) {
    var el = this.blockEls()[p.b]; if (!el) return [this.host, 0];
    var w = document.createTreeWalker(el, NodeFilter.SHOW_TEXT), n, acc = 0, last = null;
    while ((n = w.nextNode())) { last = n; if (acc + n.data.length >= p.o) return [n, p.o - acc]; acc += n.data.length; }
    if (last) return [last, last.data.length];
    var br = el.querySelector('br');
    if (br) return [br.parentNode, Array.prototype.indexOf.call(br.parentNode.childNodes, br)];
    return [el, 0];
  };
  Engine.prototype.placeCaret = function () {
    var d = this.posToDom(this.caret), s = document.getSelection();
    try { s.setBaseAndExtent(d[0], d[1], d[0], d[1]); } catch (e) {}
  };
  Engine.prototype.setText = function (t) {
    this.blocks = norm(t).split('\n'); this.keys = [];
    this.caret = {b: this.blocks.length - 1, o: this.blocks[this.blocks.length - 1].length}; this.commit();
  };
  Engine.prototype.clear = function () { this.setText(''); };
  Engine.prototype.focusEnd = function () {
    this.host.focus(); this.caret = {b: this.blocks.length - 1, o: this.blocks[this.blocks.length - 1].length}; this.placeCaret();
  };
  Engine.prototype.destroy = function () { document.removeEventListener('selectionchange', this._sc); };

  /* a Lexical-like paragraph renderer: <p><span data-lexical-text>..</span></p>, empty paragraph = <p><br></p> */
  Engine.lexical = function (pClass, spanClass, dir) {
    return function (c, blocks) {
      var f = document.createDocumentFragment();
      blocks.forEach(function (t) {
        var p = document.createElement('p'); if (pClass) p.className = pClass;
        if (t) { p.setAttribute('dir', dir || 'ltr'); var s = document.createElement('span');
          if (spanClass) s.className = spanClass; s.setAttribute('data-lexical-text', 'true'); s.textContent = t; p.appendChild(s); }
        else p.appendChild(document.createElement('br'));
        f.appendChild(p);
      });
      c.replaceChildren(f);
    };
  };
  Engine.isP = function (el) { return el.nodeName === 'P'; };
  Engine.readLines = readLines;
  G.RichEngine = Engine;
})(window);
"""


# ================================================================ X (x.com)

X_CSS = r"""
*{box-sizing:border-box}html,body{margin:0;height:100%;font-family:-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#0f1419;background:#fff}
.css-175oi2r{display:flex;flex-direction:column;position:relative;min-width:0;min-height:0;border:0 solid black;margin:0;padding:0}
.css-1jxf684,.css-146c3p1{font:inherit;white-space:inherit;color:inherit;text-decoration:none}
a{color:inherit;text-decoration:none}button{font:inherit;cursor:pointer}
#placeholder{position:fixed;inset:0;align-items:center;justify-content:center}#placeholder svg{width:72px;height:72px}
#ScriptLoadFailure{display:none}
.r-app{flex-direction:row;justify-content:center;min-height:100vh;width:100%}
.r-banner{width:275px;align-items:flex-end;padding:0 12px}.r-nav{position:sticky;top:0;width:259px;height:100vh;padding:4px 0;gap:2px}
.r-nav a.r-navlink,.r-nav button.r-navlink{display:flex;flex-direction:row;align-items:center;gap:18px;padding:12px;border-radius:9999px;font-size:20px;background:none;border:0;text-align:left;color:#0f1419}
.r-nav a.r-navlink:hover{background:#e7e7e8}.r-nav svg{width:26px;height:26px}
.r-postbtn{display:block;margin:16px 0;background:#0f1419;color:#fff !important;border-radius:9999px;padding:15px;text-align:center;font-weight:700;font-size:17px}
.r-acct{margin-top:auto;margin-bottom:12px;flex-direction:row;align-items:center;gap:10px;padding:12px;border-radius:9999px;border:0;background:none;text-align:left}
.r-acct:hover{background:#e7e7e8}.r-acct .r-names{display:flex;flex-direction:column}
.r-avatar-img{width:40px;height:40px;border-radius:50%;flex:none;display:flex;align-items:center;justify-content:center;color:#fff;font-weight:700}
.r-main{width:600px;border-left:1px solid #eff3f4;border-right:1px solid #eff3f4;min-height:100vh}
.r-side{width:350px;padding:0 0 0 30px;gap:16px}.r-side input{width:100%;border:1px solid #eff3f4;background:#eff3f4;border-radius:9999px;padding:12px 16px;font-size:15px;margin-top:6px}
.r-panel{border:1px solid #eff3f4;border-radius:16px;padding:12px 16px;gap:10px}.r-panel h2{font-size:20px;margin:0}
.r-tabs{flex-direction:row;border-bottom:1px solid #eff3f4;position:sticky;top:0;background:rgba(255,255,255,.9);backdrop-filter:blur(12px);z-index:2}
.r-tabs a,.r-tabs div[role=tab]{flex:1;text-align:center;padding:16px;font-weight:500;color:#536471;cursor:pointer}
.r-tabs [aria-selected=true]{color:#0f1419;font-weight:700;box-shadow:inset 0 -4px 0 #1d9bf0}
.r-composer{flex-direction:column;border-bottom:1px solid #eff3f4;padding:4px 16px 0}
.r-part{flex-direction:row;gap:8px;padding-top:8px}.r-part.r-dim{opacity:.55}.r-part-body{flex:1}
.DraftEditor-root{position:relative;font-size:20px;line-height:24px;min-height:52px;padding:12px 0}
.public-DraftEditorPlaceholder-root{position:absolute;color:#536471;pointer-events:none}
.public-DraftEditor-content{min-height:28px}
.r-toolbar{flex-direction:row;align-items:center;justify-content:space-between;border-top:1px solid #eff3f4;padding:8px 0;margin-top:6px}
.r-icons{flex-direction:row;gap:2px}.r-icons button{background:none;border:0;color:#1d9bf0;padding:8px;border-radius:50%}
.r-icons button[disabled]{opacity:.5}.r-icons svg{width:20px;height:20px;fill:currentColor}
.r-right{flex-direction:row;align-items:center;gap:10px}
.r-tweetbtn{background:#0f1419;color:#fff;border:0;border-radius:9999px;padding:8px 16px;font-weight:700;font-size:15px;min-height:36px}
.r-tweetbtn[aria-disabled=true]{opacity:.5;cursor:default}
.r-addbtn{border:1px solid #cfd9de;background:#fff;border-radius:50%;width:28px;height:28px;color:#1d9bf0;font-size:20px;line-height:20px;padding:0}
.r-addbtn[aria-disabled=true]{opacity:.5}
.r-8akbws{position:absolute;opacity:0;width:.1px;height:.1px;overflow:hidden;z-index:-1}
.r-attachments{flex-direction:row;flex-wrap:wrap;gap:6px;margin:6px 0}.r-att{width:120px;height:120px;border-radius:16px;overflow:hidden;background:#eff3f4}
.r-att img{width:100%;height:100%;object-fit:cover}.r-att button{position:absolute;top:4px;left:4px;border:0;border-radius:50%;background:rgba(15,20,25,.75);color:#fff;width:28px;height:28px}
.r-att .r-upl{position:absolute;bottom:0;left:0;height:4px;background:#1d9bf0}
.r-replyset{color:#1d9bf0;font-weight:700;font-size:14px;background:none;border:0;text-align:left;padding:4px 0;align-self:flex-start}
.r-ring{width:26px;height:26px}.r-ring-left{font-size:13px;color:#536471}.r-ring-left.r-over{color:#f4212e}
article[data-testid=tweet]{flex-direction:row;gap:10px;padding:12px 16px;border-bottom:1px solid #eff3f4;display:flex}
article .r-tbody{flex:1;display:flex;flex-direction:column;gap:2px}.r-uname{flex-direction:row;gap:4px;color:#536471}.r-uname .r-bold{font-weight:700;color:#0f1419}
[data-testid=tweetText]{white-space:pre-wrap;font-size:15px;line-height:20px;display:block}
.r-tphoto img{max-width:100%;border-radius:16px;border:1px solid #eff3f4;margin-top:8px}
.r-actions{flex-direction:row;justify-content:space-between;max-width:425px;margin-top:8px}
.r-actions button{background:none;border:0;color:#536471;display:flex;align-items:center;gap:4px}.r-actions svg{width:18px;height:18px;fill:currentColor}
.r-hl{color:#1d9bf0}
#layers{position:relative;z-index:10}
.r-toasts{position:fixed;bottom:24px;left:0;right:0;align-items:center;gap:8px;pointer-events:none;z-index:50}
.r-toast{pointer-events:auto;flex-direction:row;align-items:center;gap:14px;background:#1d9bf0;color:#fff;border-radius:4px;padding:12px 16px;font-size:15px;box-shadow:0 0 10px rgba(0,0,0,.2)}
.r-toast a{font-weight:700;text-decoration:underline}
.r-modalwrap{position:fixed;inset:0;align-items:center;z-index:20;padding-top:5vh}
.r-mask{position:absolute;inset:0;background:rgba(91,112,131,.4)}
.r-dialog{background:#fff;border-radius:16px;width:600px;max-height:90vh;overflow:auto;padding:0 0 8px}
.r-dhead{flex-direction:row;justify-content:space-between;align-items:center;padding:8px 12px}
.r-dhead button{background:none;border:0;padding:8px;border-radius:50%}.r-dhead .r-drafts{color:#1d9bf0;font-weight:700;border-radius:9999px}
.r-bottombar{position:fixed;bottom:0;left:0;right:0;background:#fff;border-top:1px solid #eff3f4;padding:14px 20%;flex-direction:row;gap:14px;align-items:center;z-index:15;font-size:13px}
.r-bottombar button{border-radius:9999px;padding:8px 14px;border:1px solid #cfd9de;background:#fff;font-weight:700}
.r-bottombar button.r-dark{background:#0f1419;color:#fff}
.r-signup{position:fixed;bottom:0;left:0;right:0;background:#1d9bf0;color:#fff;flex-direction:row;justify-content:center;gap:16px;padding:12px;z-index:14}
.r-signup a{border-radius:9999px;padding:8px 16px;border:1px solid #fff;font-weight:700}
.r-progress{height:3px;background:#1d9bf0;width:0;transition:width 1.5s}
.r-sectionhead{padding:12px 16px;font-size:20px;font-weight:800}
.r-trend{padding:6px 0;font-size:14px}.r-trend b{display:block;font-size:15px}
"""

X_APP_JS = r"""
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('__INITIAL_DATA__').textContent);
  var V = D.viewer, B = 'css-175oi2r', T = 'css-1jxf684';
  var API_CREATE = '/i/api/graphql/' + D.qid + '/CreateTweet', API_UPLOAD = '/i/api/1.1/media/upload.json';
  function h(tag, a) {
    var el = tag === 'svg' || tag === 'path' || tag === 'g' || tag === 'circle' ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag);
    if (a) for (var k in a) { var v = a[k]; if (v == null || v === false) continue;
      if (k === 'class') el.setAttribute('class', v); else if (k === 'text') el.textContent = v;
      else if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), v); else el.setAttribute(k, v === true ? '' : v); }
    for (var i = 2; i < arguments.length; i++) add(el, arguments[i]);
    return el;
  }
  function add(el, c) { if (c == null || c === false) return; if (Array.isArray(c)) { c.forEach(function (x) { add(el, x); }); return; }
    el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); }
  function icon(d, label) { return h('svg', {viewBox: '0 0 24 24', 'aria-hidden': label ? null : 'true', 'aria-label': label || null, class: 'r-4qtqp9 r-yyyyoo r-dnmrzs r-bnwqim r-lrvibr r-m6rgpd'}, h('g', null, h('path', {d: d}))); }
  var P = {
    logo: 'M18.244 2.25h3.308l-7.227 8.26 8.502 11.24H16.17l-5.214-6.817L4.99 21.75H1.68l7.73-8.835L1.254 2.25H8.08l4.713 6.231zm-1.161 17.52h1.833L7.084 4.126H5.117z',
    home: 'M21.591 7.146L12.52 1.157c-.316-.21-.724-.21-1.04 0l-9.071 5.99c-.26.173-.409.456-.409.757v13.183c0 .502.418.913.929.913H9.14c.51 0 .929-.41.929-.913v-7.075h3.909v7.075c0 .502.417.913.928.913h6.165c.511 0 .929-.41.929-.913V7.904c0-.301-.158-.584-.408-.758z',
    search: 'M10.25 3.75c-3.59 0-6.5 2.91-6.5 6.5s2.91 6.5 6.5 6.5c1.795 0 3.419-.726 4.596-1.904 1.178-1.177 1.904-2.801 1.904-4.596 0-3.59-2.91-6.5-6.5-6.5zm-8.5 6.5c0-4.694 3.806-8.5 8.5-8.5s8.5 3.806 8.5 8.5c0 1.986-.682 3.815-1.824 5.262l4.781 4.781-1.414 1.414-4.781-4.781c-1.447 1.142-3.276 1.824-5.262 1.824-4.694 0-8.5-3.806-8.5-8.5z',
    bell: 'M19.993 9.042C19.48 5.017 16.054 2 11.996 2s-7.49 3.021-7.999 7.051L2.866 18H7.1c.463 2.282 2.481 4 4.9 4s4.437-1.718 4.9-4h4.236l-1.143-8.958z',
    mail: 'M1.998 5.5c0-1.381 1.119-2.5 2.5-2.5h15c1.381 0 2.5 1.119 2.5 2.5v13c0 1.381-1.119 2.5-2.5 2.5h-15c-1.381 0-2.5-1.119-2.5-2.5v-13z',
    person: 'M5.651 19h12.698c-.337-1.8-1.023-3.21-1.945-4.19C15.318 13.65 13.838 13 12 13s-3.317.65-4.404 1.81c-.922.98-1.608 2.39-1.945 4.19zm.486-5.56C7.627 11.85 9.648 11 12 11s4.373.85 5.863 2.44c1.477 1.58 2.366 3.8 2.632 6.46l.11 1.1H3.395l.11-1.1c.266-2.66 1.155-4.88 2.632-6.46zM12 4c-1.105 0-2 .9-2 2s.895 2 2 2 2-.9 2-2-.895-2-2-2z',
    media: 'M3 5.5C3 4.119 4.119 3 5.5 3h13C19.881 3 21 4.119 21 5.5v13c0 1.381-1.119 2.5-2.5 2.5h-13C4.119 21 3 19.881 3 18.5v-13zM5.5 5c-.276 0-.5.224-.5.5v9.086l3-3 3 3 5-5 3 3V5.5c0-.276-.224-.5-.5-.5h-13z',
    gif: 'M3 5.5C3 4.119 4.12 3 5.5 3h13C19.88 3 21 4.119 21 5.5v13c0 1.381-1.12 2.5-2.5 2.5h-13C4.12 21 3 19.881 3 18.5v-13zM9.5 15h1.5V9H9.5v6z',
    poll: 'M6 5c-1.1 0-2 .895-2 2s.9 2 2 2 2-.895 2-2-.9-2-2-2zM2 7c0-2.209 1.79-4 4-4s4 1.791 4 4-1.79 4-4 4-4-1.791-4-4zm20 1H12V6h10v2z',
    emoji: 'M8 9.5C8 8.119 8.672 7 9.5 7S11 8.119 11 9.5 10.328 12 9.5 12 8 10.881 8 9.5zm6.5 2.5c.828 0 1.5-1.119 1.5-2.5S15.328 7 14.5 7 13 8.119 13 9.5s.672 2.5 1.5 2.5z',
    sched: 'M6 3V2h2v1h6V2h2v1h1.5C18.88 3 20 4.119 20 5.5v2h-2v-2c0-.276-.22-.5-.5-.5H16v1h-2V5H8v1H6V5H4.5c-.28 0-.5.224-.5.5v12c0 .276.22.5.5.5h3v2h-3C3.12 20 2 18.881 2 17.5v-12C2 4.119 3.12 3 4.5 3H6z',
    loc: 'M12 7c-1.93 0-3.5 1.57-3.5 3.5S10.07 14 12 14s3.5-1.57 3.5-3.5S13.93 7 12 7zm0 5c-.827 0-1.5-.673-1.5-1.5S11.173 9 12 9s1.5.673 1.5 1.5S12.827 12 12 12z',
    reply: 'M1.751 10c0-4.42 3.584-8 8.005-8h4.366c4.49 0 8.129 3.64 8.129 8.13 0 2.96-1.607 5.68-4.196 7.11l-8.054 4.46v-3.69h-.067c-4.49.1-8.183-3.51-8.183-8.01z',
    rt: 'M4.5 3.88l4.432 4.14-1.364 1.46L5.5 7.55V16c0 1.1.896 2 2 2H13v2H7.5c-2.209 0-4-1.79-4-4V7.55L1.432 9.48.068 8.02 4.5 3.88z',
    like: 'M16.697 5.5c-1.222-.06-2.679.51-3.89 2.16l-.805 1.09-.806-1.09C9.984 6.01 8.526 5.44 7.304 5.5c-1.243.07-2.349.78-2.91 1.91-.552 1.12-.633 2.78.479 4.82 1.074 1.97 3.257 4.27 7.129 6.61 3.87-2.34 6.052-4.64 7.126-6.61 1.111-2.04 1.03-3.7.477-4.82-.561-1.13-1.666-1.84-2.908-1.91z',
    close: 'M10.59 12L4.54 5.96l1.42-1.42L12 10.59l6.04-6.05 1.42 1.42L13.41 12l6.05 6.04-1.42 1.42L12 13.41l-6.04 6.05-1.42-1.42L10.59 12z',
    more: 'M3 12c0-1.1.9-2 2-2s2 .9 2 2-.9 2-2 2-2-.9-2-2zm9 2c1.1 0 2-.9 2-2s-.9-2-2-2-2 .9-2 2 .9 2 2 2zm7 0c1.1 0 2-.9 2-2s-.9-2-2-2-2 .9-2 2 .9 2 2 2z',
    globe: 'M12 1.75C6.34 1.75 1.75 6.34 1.75 12S6.34 22.25 12 22.25 22.25 17.66 22.25 12 17.66 1.75 12 1.75z'
  };
  function cookie(n) { var m = document.cookie.match('(?:^|; )' + n + '=([^;]*)'); return m ? decodeURIComponent(m[1]) : ''; }
  var COLORS = ['#1d9bf0', '#f91880', '#00ba7c', '#7856ff', '#ff7a00', '#536471'];
  function avatar(name) { var c = COLORS[(name || 'x').charCodeAt(0) % COLORS.length];
    return h('div', {class: B + ' r-avatar-img', style: 'background:' + c, 'data-testid': 'UserAvatar-Container-' + name}, (name || '?').charAt(0).toUpperCase()); }
  var SEG = null; try { SEG = new Intl.Segmenter(undefined, {granularity: 'grapheme'}); } catch (e) {}
  function weighted(t) {
    var n = 0;
    t = t.replace(/https?:\/\/\S+/g, function () { n += 23; return ''; });
    var gs = SEG ? Array.from(SEG.segment(t), function (s) { return s.segment; }) : Array.from(t);
    gs.forEach(function (g) { var cp = g.codePointAt(0);
      if (/\p{Extended_Pictographic}/u.test(g)) n += 2;
      else if (cp <= 0x10FF || (cp >= 0x2000 && cp <= 0x200D) || (cp >= 0x2010 && cp <= 0x201F) || (cp >= 0x2032 && cp <= 0x2037)) n += 1;
      else n += 2; });
    return n;
  }
  var DECO = /(https?:\/\/\S+|#[\p{L}\p{N}_]+|@[A-Za-z0-9_]{1,15})/u;
  function pieces(text) { return text.split(new RegExp(DECO.source, 'gu')).filter(function (x) { return x !== ''; }); }

  /* Draft.js-like renderer */
  function draftRender(editorKey) {
    return function (c, blocks, ed) {
      var f = document.createDocumentFragment();
      blocks.forEach(function (t, i) {
        var k = ed.keys[i], ok = k + '-0-0';
        var inner = h('div', {'data-offset-key': ok, class: 'public-DraftStyleDefault-block public-DraftStyleDefault-ltr'});
        if (!t) inner.appendChild(h('span', {'data-offset-key': ok}, h('br', {'data-text': 'true'})));
        else pieces(t).forEach(function (p, j) {
          var leaf = h('span', {'data-offset-key': k + '-' + j + '-0'}, h('span', {'data-text': 'true'}, p));
          inner.appendChild(DECO.test(p) && new RegExp('^' + DECO.source + '$', 'u').test(p) ? h('span', {class: 'r-18u37iz r-hl'}, leaf) : leaf);
        });
        f.appendChild(h('div', {class: '', 'data-block': 'true', 'data-editor': editorKey, 'data-offset-key': ok}, inner));
      });
      c.replaceChildren(f);
    };
  }

  var layers = document.getElementById('layers');
  var toastBox = null;
  function toast(msg, href) {
    if (!toastBox || !toastBox.isConnected) { toastBox = h('div', {class: B + ' r-toasts', 'aria-live': 'polite'}); layers.appendChild(toastBox); }
    var t = h('div', {'data-testid': 'toast', role: 'alert', class: B + ' r-toast'},
      h('div', {class: B + ' r-1wbh5a2'}, h('span', {class: T}, msg)),
      href ? h('div', {class: B + ' r-18u37iz'}, h('a', {href: href, role: 'link', class: T + ' r-1loqt21'}, h('span', {class: T}, 'View'))) : null);
    toastBox.appendChild(t);
    setTimeout(function () { t.remove(); }, 9000 + Math.random() * 3000);
  }

  /* ------------------------------------------------------------------ composer */
  function Composer(o) {
    var me = this; this.o = o; this.parts = []; this.active = 0; this.busy = false;
    this.el = h('div', {class: B + ' r-composer' + (o.modal ? ' r-composer-modal' : '')});
    this.progress = h('div', {class: B + ' r-progress', role: 'progressbar', 'aria-hidden': 'true'});
    this.partsEl = h('div', {class: B + ' r-parts'});
    this.fileInput = h('input', {accept: 'image/jpeg,image/png,image/webp,image/gif,video/mp4,video/quicktime', 'data-testid': 'fileInput',
      multiple: true, tabindex: '-1', type: 'file', class: 'r-8akbws r-krxsd3 r-dkge59 r-1niwhzg'});
    this.fileInput.addEventListener('change', function () { me.attach(Array.prototype.slice.call(me.fileInput.files || [])); me.fileInput.value = ''; });
    this.ring = h('div', {class: B + ' r-ring', role: 'progressbar', 'aria-valuemax': '100', 'aria-valuemin': '0', 'aria-valuenow': '0', style: 'visibility:hidden'},
      h('svg', {viewBox: '0 0 26 26', width: '26', height: '26'}, h('circle', {cx: '13', cy: '13', r: '11', fill: 'none', stroke: '#eff3f4', 'stroke-width': '2'}),
        this.arc = h('circle', {cx: '13', cy: '13', r: '11', fill: 'none', stroke: '#1d9bf0', 'stroke-width': '2', 'stroke-dasharray': '0 70', transform: 'rotate(-90 13 13)'})));
    this.left = h('span', {class: 'r-ring-left'});
    this.addBtn = h('button', {'aria-label': 'Add post', role: 'button', type: 'button', 'data-testid': 'addButton', class: B + ' r-addbtn', 'aria-disabled': 'true',
      onclick: function (e) { e.preventDefault(); if (me.addBtn.getAttribute('aria-disabled') === 'true') return; me.addPart(true); }}, '+');
    this.btn = h('button', {role: 'button', type: 'button', 'data-testid': o.testid, class: B + ' r-tweetbtn r-sdzlij r-1phboty r-rs99b7',
      onclick: function (e) { e.preventDefault(); me.submit(); }}, h('div', {dir: 'ltr', class: 'css-146c3p1 r-bcqeeo'}, this.btnLabel = h('span', {class: T}, o.label)));
    var mediaBtn = h('button', {'aria-label': 'Add photos or video', role: 'button', type: 'button', class: B + ' r-mediabtn',
      onclick: function (e) { e.preventDefault(); me.fileInput.click(); }}, icon(P.media));
    var noop = function (e) { e.preventDefault(); };
    var tools = h('div', {'data-testid': 'ScrollSnap-List', class: B + ' r-icons', role: 'tablist'},
      h('div', {role: 'presentation', class: B}, mediaBtn, this.fileInput),
      h('div', {role: 'presentation', class: B}, h('button', {'aria-label': 'Add a GIF', role: 'button', type: 'button', 'data-testid': 'gifSearchButton', onclick: noop}, icon(P.gif))),
      h('div', {role: 'presentation', class: B}, h('button', {'aria-label': 'Grok actions', role: 'button', type: 'button', onclick: noop}, icon(P.globe))),
      h('div', {role: 'presentation', class: B}, h('button', {'aria-label': 'Add poll', role: 'button', type: 'button', 'data-testid': 'createPollButton', onclick: noop}, icon(P.poll))),
      h('div', {role: 'presentation', class: B}, h('button', {'aria-label': 'Add emoji', role: 'button', type: 'button', onclick: noop}, icon(P.emoji))),
      h('div', {role: 'presentation', class: B}, h('button', {'aria-label': 'Schedule post', role: 'button', type: 'button', 'data-testid': 'scheduleOption', onclick: noop}, icon(P.sched))),
      h('div', {role: 'presentation', class: B}, h('button', {'aria-label': 'Tag location', role: 'button', type: 'button', disabled: true, 'aria-disabled': 'true', 'data-testid': 'geoButton'}, icon(P.loc))));
    this.replySetting = o.reply ? null : h('button', {class: B + ' r-replyset', type: 'button', role: 'button', 'aria-haspopup': 'menu', onclick: noop}, h('span', {class: T}, 'Everyone can reply'));
    this.el.appendChild(this.progress);
    this.el.appendChild(this.partsEl);
    if (this.replySetting) this.el.appendChild(this.replySetting);
    this.el.appendChild(h('div', {class: B + ' r-toolbar', 'data-testid': 'toolBar'},
      h('nav', {class: B, role: 'navigation'}, tools),
      h('div', {class: B + ' r-right'}, this.left, this.ring, o.reply ? null : h('div', {class: B, style: 'width:1px;height:30px;background:#cfd9de'}), o.reply ? null : this.addBtn, this.btn)));
    this.addPart(false);
  }
  Composer.prototype.addPart = function (focus) {
    var me = this, part = {media: [], uploading: 0};
    part.row = h('div', {class: B + ' r-part'});
    part.attEl = h('div', {class: B + ' r-attachments', 'data-testid': 'attachments'});
    part.body = h('div', {class: B + ' r-part-body'});
    part.row.appendChild(avatar(V ? V.screen_name : 'x'));
    part.row.appendChild(part.body);
    this.parts.push(part);
    this.buildEditor(part);
    part.body.appendChild(part.attEl);
    if (this.parts.length > 1) {
      part.body.appendChild(h('button', {type: 'button', role: 'button', 'aria-label': 'Remove post', class: B + ' r-remove', style: 'align-self:flex-end;background:none;border:0;color:#536471',
        onclick: function (e) { e.preventDefault(); me.removePart(part); }}, icon(P.close)));
    }
    this.partsEl.appendChild(part.row);
    this.setActive(this.parts.length - 1);
    if (focus) setTimeout(function () { part.engine.focusEnd(); }, 30);
    this.refresh();
  };
  Composer.prototype.removePart = function (part) {
    var i = this.parts.indexOf(part); if (i <= 0) return;
    part.engine.destroy(); part.row.remove(); this.parts.splice(i, 1); this.renumber(); this.setActive(Math.min(i, this.parts.length - 1)); this.refresh();
  };
  Composer.prototype.renumber = function () {
    this.parts.forEach(function (p, i) { p.content.setAttribute('data-testid', 'tweetTextarea_' + i); p.wrap.setAttribute('data-testid', 'tweetTextarea_' + i + 'RichTextInputContainer'); });
  };
  Composer.prototype.buildEditor = function (part) {
    var me = this, i = this.parts.indexOf(part), ek = Math.random().toString(36).slice(2, 7), pid = 'placeholder-' + ek;
    var content = h('div', {'aria-activedescendant': null, 'aria-autocomplete': 'list', 'aria-controls': 'typeaheadDropdown-' + ek, 'aria-describedby': pid,
      'aria-label': 'Post text', 'aria-multiline': 'true', class: 'notranslate public-DraftEditor-content', contenteditable: 'true',
      'data-testid': 'tweetTextarea_' + i, role: 'textbox', spellcheck: 'true', tabindex: '0',
      style: 'outline:none;user-select:text;white-space:pre-wrap;overflow-wrap:break-word;'}, h('div', {'data-contents': 'true'}));
    var ph = h('div', {class: 'public-DraftEditorPlaceholder-root'}, h('div', {class: 'public-DraftEditorPlaceholder-inner', id: pid, style: 'white-space: pre-wrap;'},
      i > 0 ? 'Add another post' : this.o.placeholder));
    var wrap = h('div', {class: B + ' r-1iusvr4 r-16y2uox', 'data-testid': 'tweetTextarea_' + i + 'RichTextInputContainer'},
      h('div', {class: B + ' r-184en5c'}, h('div', {class: B}, h('div', {class: 'DraftEditor-root'}, ph, h('div', {class: 'DraftEditor-editorContainer'}, content)))));
    if (part.engine) part.engine.destroy();
    part.engine = new RichEngine(content, {
      container: function (c) { return c.firstElementChild; },
      isBlock: function (el) { return el.hasAttribute && el.hasAttribute('data-block'); },
      render: draftRender(ek), dropBlankOnReconcile: true,
      onChange: function () { me.refresh(); },
      onFocus: function () { me.setActive(me.parts.indexOf(part)); },
      onKeyDown: function (e) { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); me.submit(); } }
    });
    content.addEventListener('mousedown', function () { me.setActive(me.parts.indexOf(part)); });
    part.content = content; part.ph = ph;
    if (part.wrap) part.wrap.replaceWith(wrap); else part.body.appendChild(wrap);
    part.wrap = wrap;
  };
  Composer.prototype.setActive = function (i) {
    this.active = i;
    this.parts.forEach(function (p, j) { p.row.classList.toggle('r-dim', j !== i && p.engine.isEmpty() && !p.media.length ? false : j !== i); });
    this.refresh();
  };
  Composer.prototype.has = function (p) { return p.engine.text().trim() !== '' || p.media.length > 0; };
  Composer.prototype.refresh = function () {
    var me = this, ok = !this.busy && this.parts.length > 0;
    this.parts.forEach(function (p) {
      p.ph.style.display = p.engine.isEmpty() ? '' : 'none';
      if (!me.has(p) || p.uploading > 0 || weighted(p.engine.text()) > 280) ok = false;
    });
    this.btn.setAttribute('aria-disabled', ok ? 'false' : 'true');
    if (ok) { this.btn.removeAttribute('disabled'); this.btn.removeAttribute('tabindex'); }
    else { this.btn.setAttribute('disabled', ''); this.btn.setAttribute('tabindex', '-1'); }
    this.btnLabel.textContent = this.parts.length > 1 ? 'Post all' : this.o.label;
    var ap = this.parts[this.active] || this.parts[0];
    var canAdd = !this.busy && ap && this.has(ap) && this.parts.length < 25;
    this.addBtn.setAttribute('aria-disabled', canAdd ? 'false' : 'true');
    this.addBtn.style.visibility = (this.o.modal || canAdd || this.parts.length > 1) ? '' : 'hidden';
    var w = ap ? weighted(ap.engine.text()) : 0;
    this.ring.style.visibility = w ? '' : 'hidden';
    this.arc.setAttribute('stroke-dasharray', Math.min(69, 69 * w / 280).toFixed(1) + ' 70');
    this.arc.setAttribute('stroke', w > 280 ? '#f4212e' : w > 260 ? '#ffd400' : '#1d9bf0');
    this.left.textContent = w > 260 ? String(280 - w) : '';
    this.left.className = 'r-ring-left' + (w > 280 ? ' r-over' : '');
  };
  Composer.prototype.attach = function (files) {
    var me = this, part = this.parts[this.active] || this.parts[0];
    if (!files.length) return;
    var bad = files.filter(function (f) { return !/^(image\/(jpeg|png|webp|gif)|video\/(mp4|quicktime))$/.test(f.type) && !/\.(jpe?g|png|webp|gif|mp4|mov)$/i.test(f.name); });
    if (bad.length) { toast('Some of your media failed to load.'); return; }
    if (part.media.length + files.length > 4) { toast('Please choose up to 4 photos, videos, or GIFs.'); return; }
    /* attaching re-renders the composer: the editor element is rebuilt from scratch */
    this.buildEditor(part);
    files.forEach(function (f) {
      var m = {file: f, id: null, done: false};
      var img = /^image\//.test(f.type) ? h('img', {alt: '', src: URL.createObjectURL(f)}) : h('div', {style: 'padding:40px 8px;font-size:12px;color:#536471'}, f.name);
      var bar = h('div', {class: 'r-upl', style: 'width:5%'});
      m.el = h('div', {class: B + ' r-att', 'data-testid': 'attachments-item'}, img, bar,
        h('button', {type: 'button', 'aria-label': 'Remove media', role: 'button', onclick: function (e) { e.preventDefault();
          part.media.splice(part.media.indexOf(m), 1); m.el.remove(); if (!m.done) part.uploading--; me.refresh(); }}, '×'));
      part.media.push(m); part.attEl.appendChild(m.el); part.uploading++;
      var fd = new FormData(); fd.append('media', f, f.name); fd.append('media_category', /^video/.test(f.type) ? 'tweet_video' : 'tweet_image');
      var x = new XMLHttpRequest();
      x.open('POST', API_UPLOAD + '?command=UPLOAD'); x.withCredentials = true; x.setRequestHeader('x-csrf-token', cookie('ct0'));
      x.upload.onprogress = function (ev) { if (ev.lengthComputable) bar.style.width = (5 + 90 * ev.loaded / ev.total) + '%'; };
      x.onload = function () {
        var j = null; try { j = JSON.parse(x.responseText); } catch (e) {}
        setTimeout(function () {
          if (part.media.indexOf(m) < 0) return;
          if (x.status === 200 && j && j.media_id_string) { m.id = j.media_id_string; m.done = true; part.uploading--; bar.style.width = '100%'; setTimeout(function () { bar.remove(); }, 300); }
          else { part.media.splice(part.media.indexOf(m), 1); m.el.remove(); part.uploading--; toast('Some of your media failed to load.'); }
          me.refresh();
        }, 250 + Math.random() * 500);
      };
      x.onerror = function () { part.media.splice(part.media.indexOf(m), 1); m.el.remove(); part.uploading--; toast('Some of your media failed to load.'); me.refresh(); };
      x.send(fd);
    });
    this.refresh();
  };
  Composer.prototype.reset = function () {
    var me = this;
    this.parts.slice(1).forEach(function (p) { p.engine.destroy(); p.row.remove(); });
    this.parts = [this.parts[0]];
    var p0 = this.parts[0]; p0.media = []; p0.uploading = 0; p0.attEl.replaceChildren(); p0.engine.clear();
    this.setActive(0); this.refresh();
  };
  Composer.prototype.submit = function () {
    var me = this;
    if (this.busy || this.btn.getAttribute('aria-disabled') === 'true') return;
    this.busy = true; this.refresh();
    this.progress.style.width = '0'; void this.progress.offsetWidth; this.progress.style.width = '85%';
    var parts = this.parts.map(function (p) { return {text: p.engine.text(), media: p.media.map(function (m) { return m.id; })}; });
    var ids = [], prev = this.o.reply || null;
    function fail(msg) { me.busy = false; me.progress.style.width = '0'; me.refresh(); toast(msg); }
    function step(i) {
      if (i >= parts.length) return done();
      var body = {variables: {tweet_text: parts[i].text, dark_request: false,
        media: {media_entities: parts[i].media.map(function (id) { return {media_id: id, tagged_users: []}; }), possibly_sensitive: false},
        semantic_annotation_ids: [], disallowed_reply_options: null},
        features: {premium_content_api_read_enabled: false, responsive_web_edit_tweet_api_enabled: true}, queryId: D.qid};
      if (prev) body.variables.reply = {in_reply_to_tweet_id: prev, exclude_reply_user_ids: []};
      if (parts.length > 1) body.variables.batch_compose = i === 0 ? 'BatchFirst' : 'BatchSubsequent';
      fetch(API_CREATE, {method: 'POST', credentials: 'include', headers: {'content-type': 'application/json', 'x-csrf-token': cookie('ct0'),
        'x-twitter-auth-type': 'OAuth2Session', 'x-twitter-active-user': 'yes', authorization: 'Bearer ' + D.bearer}, body: JSON.stringify(body)})
        .then(function (r) { return r.json().catch(function () { return {errors: [{code: 0}]}; }); })
        .then(function (j) {
          if (j.errors && j.errors.length) {
            var c = j.errors[0].code;
            return fail(c === 187 ? 'Whoops! You already said that.' : c === 185 ? 'You are over the daily limit for sending posts.' :
              c === 226 ? 'This request looks like it might be automated. To protect our users from spam and other malicious activity, we can\u2019t complete this action right now. Please try again later.' :
              'Something went wrong. Try sending your post again in a minute.');
          }
          var res = j.data.create_tweet.tweet_results.result; ids.push(res.rest_id); prev = res.rest_id;
          if (D.route === 'home' || D.route === 'profile') prependTweet(res.legacy_lite);
          step(i + 1);
        }, function () { fail('Something went wrong. Try sending your post again in a minute.'); });
    }
    function done() {
      me.busy = false; me.progress.style.width = '100%';
      setTimeout(function () { me.progress.style.width = '0'; }, 400);
      me.reset();
      if (me.o.onDone) me.o.onDone();
      toast('Your post was sent.', '/' + V.screen_name + '/status/' + ids[0]);
    }
    step(0);
  };

  /* ------------------------------------------------------------------ tweets */
  function ago(ts) { var d = Math.max(0, Date.now() / 1000 - ts); if (d < 60) return Math.floor(d) + 's'; if (d < 3600) return Math.floor(d / 60) + 'm';
    if (d < 86400) return Math.floor(d / 3600) + 'h'; return new Date(ts * 1000).toLocaleDateString('en-US', {month: 'short', day: 'numeric'}); }
  function tweetText(t) {
    var el = h('div', {dir: 'auto', lang: 'en', class: 'css-146c3p1 r-bcqeeo r-1ttztb7', 'data-testid': 'tweetText', id: 'id__' + Math.random().toString(36).slice(2, 9)});
    pieces(t).forEach(function (p) { el.appendChild(/^(https?:|#|@)/.test(p) && p.length > 1 ? h('a', {dir: 'ltr', role: 'link', class: T + ' r-hl', href: p[0] === '#' ? '/hashtag/' + encodeURIComponent(p.slice(1)) : p[0] === '@' ? '/' + p.slice(1) : p}, p) : h('span', {class: T}, p)); });
    return el;
  }
  function article(t) {
    var link = '/' + t.screen_name + '/status/' + t.id;
    var act = function (tid, label, d, n) { return h('div', {class: B}, h('button', {'aria-label': label, role: 'button', type: 'button', 'data-testid': tid}, icon(d), h('span', {class: T}, n ? String(n) : ''))); };
    return h('article', {'aria-labelledby': 'id__' + t.id, role: 'article', tabindex: '0', 'data-testid': 'tweet', class: B + ' r-18u37iz r-1ny4l3l'},
      h('div', {class: B, 'data-testid': 'Tweet-User-Avatar'}, h('a', {href: '/' + t.screen_name, role: 'link', tabindex: '-1'}, avatar(t.screen_name))),
      h('div', {class: B + ' r-tbody'},
        h('div', {class: B + ' r-uname', 'data-testid': 'User-Name', id: 'id__' + t.id},
          h('a', {href: '/' + t.screen_name, role: 'link'}, h('span', {class: T + ' r-bold'}, t.name)),
          h('a', {href: '/' + t.screen_name, role: 'link', tabindex: '-1'}, h('span', {class: T}, '@' + t.screen_name)),
          h('span', {class: T, 'aria-hidden': 'true'}, '·'),
          h('a', {href: link, role: 'link', dir: 'ltr', 'aria-label': ago(t.created_at)}, h('time', {datetime: new Date(t.created_at * 1000).toISOString()}, ago(t.created_at)))),
        t.text ? tweetText(t.text) : null,
        (t.media || []).length ? h('div', {class: B + ' r-tphoto'}, t.media.map(function (m) { return h('div', {'data-testid': 'tweetPhoto', class: B}, h('img', {alt: 'Image', src: m.url, draggable: 'true'})); })) : null,
        h('div', {role: 'group', 'aria-label': (t.replies || 0) + ' replies, ' + (t.likes || 0) + ' likes', class: B + ' r-actions'},
          act('reply', 'Reply', P.reply, t.replies), act('retweet', 'Repost', P.rt, t.reposts), act('like', 'Like', P.like, t.likes),
          h('div', {class: B}, h('a', {href: link + '/analytics', 'aria-label': 'View post analytics', role: 'link'}, icon(P.poll))),
          act('bookmark', 'Bookmark', P.sched, 0))));
  }
  var timelineEl = null;
  function prependTweet(t) { if (timelineEl && t) { var c = h('div', {'data-testid': 'cellInnerDiv', class: B}, article(t)); timelineEl.insertBefore(c, timelineEl.firstChild); } }
  function timeline(list, label) {
    timelineEl = h('div', {'aria-label': label, class: B});
    list.forEach(function (t) { timelineEl.appendChild(h('div', {'data-testid': 'cellInnerDiv', class: B}, article(t))); });
    return h('section', {'aria-labelledby': 'accessible-list-0', role: 'region', class: B}, h('h1', {id: 'accessible-list-0', style: 'position:absolute;clip:rect(1px,1px,1px,1px)'}, label), timelineEl);
  }

  /* ------------------------------------------------------------------ chrome */
  function navLink(href, label, d, testid) {
    return h('a', {href: href, 'aria-label': label, role: 'link', class: 'r-navlink', 'data-testid': testid}, icon(d), h('span', {class: T}, label));
  }
  function sideNav() {
    var nav = h('nav', {'aria-label': 'Primary', role: 'navigation', class: B + ' r-nav'});
    nav.appendChild(h('h1', {role: 'heading', class: B, style: 'padding:12px'}, h('a', {href: '/home', 'aria-label': 'X', role: 'link'}, icon(P.logo))));
    if (V) {
      add(nav, [navLink('/home', 'Home', P.home, 'AppTabBar_Home_Link'), navLink('/explore', 'Explore', P.search, 'AppTabBar_Explore_Link'),
        navLink('/notifications', 'Notifications', P.bell, 'AppTabBar_Notifications_Link'), navLink('/messages', 'Messages', P.mail, 'AppTabBar_DirectMessage_Link'),
        navLink('/i/grok', 'Grok', P.globe), navLink('/i/bookmarks', 'Bookmarks', P.sched), navLink('/' + V.screen_name, 'Profile', P.person, 'AppTabBar_Profile_Link'),
        h('button', {'aria-label': 'More menu items', role: 'button', type: 'button', 'data-testid': 'AppTabBar_More_Menu', class: 'r-navlink'}, icon(P.more), h('span', {class: T}, 'More')),
        h('a', {href: '/compose/post', 'aria-label': 'Post', role: 'link', 'data-testid': 'SideNav_NewTweet_Button', class: 'r-postbtn',
          onclick: function (e) { e.preventDefault(); history.pushState({}, '', '/compose/post'); openModal(); }}, h('span', {class: T}, 'Post'))]);
      nav.appendChild(h('button', {'aria-label': 'Account menu', role: 'button', type: 'button', 'data-testid': 'SideNav_AccountSwitcher_Button', class: B + ' r-acct'},
        avatar(V.screen_name), h('div', {class: 'r-names'}, h('span', {class: T, style: 'font-weight:700'}, V.name), h('span', {class: T, style: 'color:#536471'}, '@' + V.screen_name)),
        icon(P.more)));
    } else {
      add(nav, [navLink('/explore', 'Explore', P.search), h('a', {href: '/i/flow/login', role: 'link', 'data-testid': 'loginButton', class: 'r-postbtn'}, h('span', {class: T}, 'Log in'))]);
    }
    return h('header', {role: 'banner', class: B + ' r-banner'}, nav);
  }
  function sideColumn() {
    var trends = [['Technology · Trending', '#WebComponents', '12.1K posts'], ['Trending in United States', 'Draft.js', '2,048 posts'], ['Sports · Trending', 'Champions League', '88K posts']];
    return h('div', {'data-testid': 'sidebarColumn', class: B + ' r-side'},
      h('form', {'aria-label': 'Search', role: 'search', class: B, onsubmit: function (e) { e.preventDefault(); }},
        h('input', {'aria-label': 'Search query', 'aria-autocomplete': 'list', 'aria-expanded': 'false', autocapitalize: 'sentences', autocomplete: 'off',
          autocorrect: 'off', placeholder: 'Search', role: 'combobox', spellcheck: 'false', enterkeyhint: 'search', type: 'text', dir: 'auto', 'data-testid': 'SearchBox_Search_Input'})),
      h('aside', {'aria-label': 'Subscribe to Premium', role: 'complementary', class: B + ' r-panel'}, h('h2', null, 'Subscribe to Premium'),
        h('span', null, 'Subscribe to unlock new features and if eligible, receive a share of revenue.'),
        h('a', {href: '/i/premium_sign_up', role: 'link', class: 'r-tweetbtn', style: 'align-self:flex-start'}, h('span', null, 'Subscribe'))),
      h('section', {'aria-labelledby': 'trend-h', role: 'region', class: B + ' r-panel'}, h('h2', {id: 'trend-h'}, 'What\u2019s happening'),
        trends.map(function (t) { return h('div', {'data-testid': 'trend', role: 'link', tabindex: '0', class: 'r-trend'}, h('span', null, t[0]), h('b', null, t[1]), h('span', null, t[2])); })),
      h('aside', {'aria-label': 'Who to follow', role: 'complementary', class: B + ' r-panel'}, h('h2', null, 'Who to follow'),
        ['nasa_fan', 'typescript_tips'].map(function (n) { return h('div', {'data-testid': 'UserCell', class: B, style: 'flex-direction:row;gap:10px;align-items:center'}, avatar(n),
          h('span', {style: 'flex:1'}, '@' + n), h('button', {'aria-label': 'Follow @' + n, role: 'button', type: 'button', 'data-testid': n + '-follow', class: 'r-tweetbtn'}, 'Follow')); })));
  }
  function cookieBar() {
    if (/(^|; )d_prefs=/.test(document.cookie)) return;
    var bar = h('div', {'data-testid': 'BottomBar', class: B + ' r-bottombar'},
      h('div', {style: 'flex:1'}, h('b', null, 'Did someone say \u2026 cookies?'), h('br'), 'X and its partners use cookies to provide you with a better, safer and faster service and to support our business.'),
      h('button', {type: 'button', role: 'button', class: 'r-dark', onclick: function () { document.cookie = 'd_prefs=MToxLGNvbnNlbnRfdmVyc2lvbjoy; path=/; max-age=31536000'; bar.remove(); }}, 'Accept all cookies'),
      h('button', {type: 'button', role: 'button', onclick: function () { document.cookie = 'd_prefs=MjoxLGNvbnNlbnRfdmVyc2lvbjoy; path=/; max-age=31536000'; bar.remove(); }}, 'Refuse non-essential cookies'));
    layers.appendChild(h('div', {class: B}, bar));
  }

  /* ------------------------------------------------------------------ pages */
  var modalWrap = null, modalComposer = null;
  function openModal() {
    if (modalWrap) return;
    if (!V) { location.href = '/i/flow/login'; return; }
    modalComposer = new Composer({modal: true, testid: 'tweetButton', label: 'Post', placeholder: 'What\u2019s happening?',
      onDone: function () { closeModal(true); }});
    var close = function (e) { if (e) e.preventDefault(); closeModal(true); };
    modalWrap = h('div', {class: B + ' r-modalwrap'}, h('div', {class: B + ' r-mask', 'data-testid': 'mask', onclick: close}),
      h('div', {'aria-labelledby': 'modal-header', 'aria-modal': 'true', role: 'dialog', class: B + ' r-dialog'},
        h('div', {class: B + ' r-dhead'},
          h('button', {'aria-label': 'Close', role: 'button', type: 'button', 'data-testid': 'app-bar-close', onclick: close}, icon(P.close)),
          h('h2', {id: 'modal-header', 'aria-level': '2', role: 'heading', style: 'position:absolute;clip:rect(1px,1px,1px,1px)'}, 'Post'),
          h('button', {role: 'button', type: 'button', 'data-testid': 'unsentButton', class: 'r-drafts'}, h('span', null, 'Drafts'))),
        modalComposer.el));
    layers.appendChild(modalWrap);
    setTimeout(function () { if (modalComposer) modalComposer.parts[0].engine.focusEnd(); }, 60);
  }
  function closeModal(nav) {
    if (!modalWrap) return;
    modalComposer.parts.forEach(function (p) { p.engine.destroy(); });
    modalWrap.remove(); modalWrap = null; modalComposer = null;
    if (nav && /^\/compose\//.test(location.pathname)) history.pushState({}, '', '/home');
  }
  window.addEventListener('popstate', function () { if (/^\/compose\/(post|tweet)/.test(location.pathname)) openModal(); else closeModal(false); });
  document.addEventListener('keydown', function (e) { if (e.key === 'Escape' && modalWrap) closeModal(true); });

  function primary() {
    var col = h('div', {'data-testid': 'primaryColumn', class: B});
    var r = D.route;
    if (r === 'home' || r === 'compose') {
      col.appendChild(h('div', {class: B + ' r-tabs', role: 'tablist'},
        h('div', {role: 'tab', 'aria-selected': 'true', tabindex: '0'}, h('span', null, 'For you')),
        h('div', {role: 'tab', 'aria-selected': 'false', tabindex: '-1'}, h('span', null, 'Following'))));
      var slot = h('div', {class: B, style: 'min-height:120px'});
      col.appendChild(slot);
      setTimeout(function () {
        var c = new Composer({testid: 'tweetButtonInline', label: 'Post', placeholder: 'What\u2019s happening?'});
        slot.appendChild(c.el);
      }, 120 + Math.random() * 380);
      col.appendChild(timeline(D.timeline, 'Timeline: Your Home Timeline'));
    } else if (r === 'status' && D.status) {
      col.appendChild(h('div', {class: 'r-sectionhead'}, 'Post'));
      col.appendChild(article(D.status));
      if (V) {
        var rc = new Composer({testid: 'tweetButtonInline', label: 'Reply', placeholder: 'Post your reply', reply: D.status.id});
        col.appendChild(rc.el);
      }
      col.appendChild(timeline(D.replies || [], 'Timeline: Conversation'));
    } else if (r === 'profile' && D.profile) {
      col.appendChild(h('div', {class: 'r-sectionhead'}, h('h2', {style: 'margin:0'}, D.profile.name), h('div', {style: 'font-size:13px;color:#536471;font-weight:400'}, D.profile.tweets.length + ' posts')));
      col.appendChild(h('div', {class: B, style: 'padding:16px', 'data-testid': 'UserName'}, avatar(D.profile.screen_name), h('b', null, D.profile.name), h('span', {style: 'color:#536471'}, '@' + D.profile.screen_name)));
      col.appendChild(h('nav', {role: 'navigation', 'aria-label': 'Profile timelines', class: B + ' r-tabs'},
        ['Posts', 'Replies', 'Highlights', 'Articles', 'Media', 'Likes'].map(function (x, i) { return h('a', {href: '/' + D.profile.screen_name + (i ? '/' + x.toLowerCase() : ''), role: 'tab', 'aria-selected': i ? 'false' : 'true'}, x); })));
      col.appendChild(timeline(D.profile.tweets, 'Timeline: ' + D.profile.name + '\u2019s posts'));
    } else if (r === 'status' || r === 'profile') {
      col.appendChild(h('div', {class: 'r-sectionhead'}, r === 'status' ? 'Hmm...this page doesn\u2019t exist. Try searching for something else.' : 'This account doesn\u2019t exist'));
    } else {
      col.appendChild(h('div', {class: 'r-sectionhead'}, D.title || 'Explore'));
      col.appendChild(timeline(D.timeline || [], 'Timeline: Explore'));
    }
    return h('main', {role: 'main', class: B + ' r-main'}, col);
  }
  function boot() {
    var root = document.getElementById('react-root');
    var app = h('div', {class: B + ' r-app', 'aria-hidden': 'false'}, sideNav(), primary(), sideColumn());
    root.replaceChildren(h('div', {class: B + ' r-13awgt0 r-12vffkv'}, app));
    if (!V) layers.appendChild(h('div', {class: B + ' r-signup', 'data-testid': 'BottomBar'}, h('span', null, 'Don\u2019t miss what\u2019s happening'),
      h('a', {href: '/i/flow/login', role: 'link', 'data-testid': 'login'}, 'Log in'), h('a', {href: '/i/flow/signup', role: 'link', 'data-testid': 'signup'}, 'Sign up')));
    cookieBar();
    if (D.route === 'compose') setTimeout(openModal, 150 + Math.random() * 300);
  }
  setTimeout(boot, 300 + Math.random() * 700);
})();
"""


class XSite(Site):
    name = "x"
    cookie_name = "auth_token"
    QID = "a1p9RWpkYKBjWv_I3WzS-A"

    def setup(self):
        self.tweets = {}           # id -> tweet
        self.media = {}            # media id -> dict(name,size,ctype,data,user)
        self.seq = 0
        self.users_meta = {DEMO_USER: "Alice Liddell"}
        seeds = [("nasa_fan", "Nasa Fan", "Golden hour over the launch pad tonight. Go for launch! 🚀"),
                 ("typescript_tips", "TS Tips", "Tip: `satisfies` keeps literal types while checking the shape.\n\nTry it on config objects."),
                 ("bob", "Bob", "Anyone else's coffee machine making that noise again?"),
                 (DEMO_USER, "Alice Liddell", "Down the rabbit hole, again.")]
        t = now() - 7200
        for i, (u, n, txt) in enumerate(seeds):
            self.users_meta.setdefault(u, n)
            tid = self.new_id(t + i * 900)
            self.tweets[tid] = dict(id=tid, screen_name=u, name=n, text=txt, created_at=int(t + i * 900), media=[],
                                    replies=random.randint(0, 40), reposts=random.randint(0, 90), likes=random.randint(0, 500),
                                    in_reply_to=None, rec=None)

    def new_id(self, ts=None):
        with self.lock:
            self.seq += 1
            return str((int(((ts or now()) - 1288834974.657) * 1000) << 22) | (self.seq & 0x3FFFFF))

    def make_token(self, user):
        return rand_token(40, "0123456789abcdef")

    def on_reset(self):
        pass

    def shell(self, req, user, route, title, extra=None):
        data = {"viewer": ({"screen_name": user, "name": self.users_meta.get(user, user)} if user else None),
                "route": route, "qid": self.QID, "bearer": "AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid%2BULvsea4JtiGRiSDSJSI%3DEUifiRBkKG5E2XzMDjRfl76ZC9Ub0wnz4XsNiRVBChTYbJcE3F"}
        data.update(extra or {})
        page = ('<!DOCTYPE html><html dir="ltr" lang="en"><head><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width,initial-scale=1,maximum-scale=1,user-scalable=0,viewport-fit=cover">'
                '<meta name="theme-color" content="#FFFFFF"><title>%s</title><style>%s</style></head>'
                '<body style="background-color:#FFFFFF;"><noscript><form action="" method="GET"><div>We’ve detected that JavaScript is disabled in this browser. '
                'Please enable JavaScript or switch to a supported browser to continue using x.com.</div></form></noscript>'
                '<div id="react-root" style="height:100%%;display:flex;"><div class="css-175oi2r r-13awgt0 r-12vffkv"><div class="css-175oi2r r-13awgt0 r-12vffkv">'
                '<div aria-label="Loading…" class="css-175oi2r r-1p0dtai r-1d2f490 r-1xcajam r-zchlnj r-ipm5af" id="placeholder">'
                '<svg viewBox="0 0 24 24" aria-hidden="true"><g><path d="M18.244 2.25h3.308l-7.227 8.26 8.502 11.24H16.17l-5.214-6.817L4.99 21.75H1.68l7.73-8.835L1.254 2.25H8.08l4.713 6.231zm-1.161 17.52h1.833L7.084 4.126H5.117z"></path></g></svg></div>'
                '<div class="css-175oi2r r-hvic4v r-1d2f490" id="ScriptLoadFailure"><form action="" method="GET"><div class="css-175oi2r">'
                '<div dir="ltr" class="css-146c3p1"><span>Something went wrong, but don’t fret — let’s give it another shot.</span></div>'
                '<input type="submit" value="Try again"></div></form></div></div></div></div><div id="layers"></div>'
                '<script type="application/json" id="__INITIAL_DATA__">%s</script><script>%s</script><script>%s</script></body></html>'
                % (E(title), X_CSS, js_json(data), EDITOR_JS, X_APP_JS))
        r = Resp(page)
        if not req.cookies.get("ct0"):
            r.cookie("ct0", rand_token(160, "0123456789abcdef"), 365 * 86400, http_only=False)
        if not req.cookies.get("guest_id"):
            r.cookie("guest_id", "v1%3A" + str(int(now() * 1000)), 400 * 86400, http_only=False)
        return r

    def pub(self, t):
        return {k: t[k] for k in ("id", "screen_name", "name", "text", "created_at", "media", "replies", "reposts", "likes")}

    def tl(self, pred=lambda t: True, reply_ok=False):
        ts = [t for t in self.tweets.values() if pred(t) and (reply_ok or not t["in_reply_to"])]
        return [self.pub(t) for t in sorted(ts, key=lambda t: -int(t["id"]))]

    def landing(self):
        return Resp('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>X. It’s what’s happening / X</title><style>%s'
                    '.land{flex-direction:row;min-height:100vh;align-items:center;justify-content:center;gap:80px}.land svg{width:300px}'
                    '.land h1{font-size:64px;margin:0 0 40px}.land a{display:block;margin:10px 0}</style></head><body>'
                    '<div id="react-root"><main role="main" class="css-175oi2r land"><svg viewBox="0 0 24 24" aria-label="X"><g><path d="M18.244 2.25h3.308l-7.227 8.26 8.502 11.24H16.17l-5.214-6.817L4.99 21.75H1.68l7.73-8.835L1.254 2.25H8.08l4.713 6.231zm-1.161 17.52h1.833L7.084 4.126H5.117z"></path></g></svg>'
                    '<div class="css-175oi2r"><h1>Happening now</h1><h2>Join today.</h2>'
                    '<a href="/i/flow/signup" role="link" data-testid="signupButton" class="r-tweetbtn">Create account</a>'
                    '<h3>Already have an account?</h3><a href="/login" role="link" data-testid="loginButton" class="r-tweetbtn" style="background:#fff;color:#1d9bf0;border:1px solid #cfd9de">Sign in</a>'
                    '</div></main></div><div id="layers"></div></body></html>' % X_CSS)

    def login_page(self, req, err="", username="", step=1):
        redir = req.query.get("redirect_after_login") or req.f("redirect_after_login") or "/home"
        return Resp('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Log in to X / X</title><style>%s'
                    '.lg{max-width:600px;margin:5vh auto;border-radius:16px;box-shadow:0 0 15px rgba(0,0,0,.2);padding:20px 80px;gap:16px}'
                    '.lg input{font-size:17px;padding:16px 8px;border:1px solid #cfd9de;border-radius:4px;width:100%%}.lg label{display:block}'
                    '.lg .r-tweetbtn{width:100%%;padding:12px}.err{color:#f4212e}[hidden]{display:none!important}</style></head><body>'
                    '<div id="react-root"></div><div id="layers"><div role="dialog" aria-modal="true" aria-labelledby="modal-header" class="css-175oi2r lg">'
                    '<div class="css-175oi2r" style="flex-direction:row;justify-content:space-between"><a href="/" aria-label="Close" role="button">✕</a>'
                    '<svg viewBox="0 0 24 24" width="32" aria-hidden="true"><path d="M18.244 2.25h3.308l-7.227 8.26 8.502 11.24H16.17l-5.214-6.817L4.99 21.75H1.68l7.73-8.835L1.254 2.25H8.08l4.713 6.231z"></path></svg><span></span></div>'
                    '<h1 id="modal-header">Sign in to X</h1>'
                    '<form method="post" action="/i/flow/login" class="css-175oi2r" style="gap:16px" id="lf">'
                    '<input type="hidden" name="redirect_after_login" value="%s">'
                    '<button type="button" role="button" class="r-tweetbtn" style="background:#fff;color:#0f1419;border:1px solid #cfd9de">Sign in with Apple</button>'
                    '<div class="css-175oi2r" id="s1" %s><label><span>Phone, email, or username</span>'
                    '<input autocapitalize="sentences" autocomplete="username" autocorrect="on" name="text" spellcheck="true" type="text" dir="auto" value="%s"></label>'
                    '<button type="button" role="button" class="r-tweetbtn" id="next">Next</button>'
                    '<button type="button" role="button" class="r-tweetbtn" style="background:#fff;color:#0f1419;border:1px solid #cfd9de">Forgot password?</button></div>'
                    '<div class="css-175oi2r" id="s2" %s><label><span>Password</span><input autocapitalize="sentences" autocomplete="current-password" '
                    'name="password" spellcheck="true" type="password" dir="auto"></label><div class="err" role="alert">%s</div>'
                    '<button type="submit" role="button" data-testid="LoginForm_Login_Button" class="r-tweetbtn">Log in</button></div></form>'
                    '<div>Don’t have an account? <a href="/i/flow/signup">Sign up</a></div></div></div>'
                    '<script>(function(){var f=document.getElementById("lf"),u=f.elements.text,s1=document.getElementById("s1"),s2=document.getElementById("s2");'
                    'function nx(){if(!u.value.trim())return;s1.hidden=true;s2.hidden=false;f.elements.password.focus();}'
                    'document.getElementById("next").addEventListener("click",nx);'
                    'u.addEventListener("keydown",function(e){if(e.key==="Enter"){e.preventDefault();nx();}});})();</script></body></html>'
                    % (X_CSS, E(redir), "hidden" if step == 2 else "", E(username), "" if step == 2 else "hidden", E(err)))

    def api_auth(self, req):
        user = self.user(req)
        if not user:
            return None, jresp({"errors": [{"code": 32, "message": "Could not authenticate you."}]}, 401)
        ct0 = req.cookies.get("ct0")
        if not ct0 or req.headers.get("x-csrf-token") != ct0:
            return None, jresp({"errors": [{"code": 353, "message": "This request requires a matching csrf cookie and header."}]}, 403)
        return user, None

    def handle(self, req):
        p = req.path.rstrip("/") or "/"
        user = self.user(req)
        if p == "/":
            return redirect("/home") if user else self.landing()
        if p == "/login":
            return redirect("/i/flow/login")
        if p == "/i/flow/login":
            if req.method == "POST":
                u, pw = req.f("text").strip().lstrip("@"), req.f("password")
                if self.users.get(u) == pw:
                    dest = req.f("redirect_after_login") or "/home"
                    if not dest.startswith("/") or dest.startswith("//"):
                        dest = "/home"
                    r = redirect(dest).cookie(self.cookie_name, self.new_session(u), 5 * 365 * 86400)
                    r.cookie("ct0", rand_token(160, "0123456789abcdef"), 365 * 86400, http_only=False)
                    r.cookie("twid", "u%3D" + str(1000 + len(u)), 365 * 86400, http_only=False)
                    return r
                return self.login_page(req, "Wrong password!", u, step=2)
            if user:
                return redirect(req.query.get("redirect_after_login") or "/home")
            return self.login_page(req)
        if p in ("/logout", "/i/flow/logout"):
            with self.lock:
                self.sessions.pop(req.cookies.get(self.cookie_name, ""), None)
            return redirect("/").cookie(self.cookie_name, "", 0)
        if p == "/i/api/1.1/media/upload.json" and req.method == "POST":
            return self.api_upload(req)
        m = re.fullmatch(r"/i/api/graphql/([^/]+)/CreateTweet", p)
        if m and req.method == "POST":
            return self.api_create(req)
        m = re.fullmatch(r"/media/([0-9]+)", p)
        if m:
            md = self.media.get(m.group(1))
            return Resp(md["data"], 200, md["ctype"]) if md else not_found()
        if p in ("/home", "/compose/post", "/compose/tweet"):
            if not user:
                return redirect("/i/flow/login?redirect_after_login=" + urllib.parse.quote(p, safe=""))
            route = "home" if p == "/home" else "compose"
            return self.shell(req, user, route, "Home / X", {"timeline": self.tl()})
        if p in ("/explore", "/notifications", "/messages", "/i/bookmarks", "/i/grok", "/settings", "/i/premium_sign_up") or p.startswith("/hashtag/"):
            if not user and p != "/explore" and not p.startswith("/hashtag/"):
                return redirect("/i/flow/login?redirect_after_login=" + urllib.parse.quote(p, safe=""))
            return self.shell(req, user, "other", p.strip("/").split("/")[-1].capitalize() + " / X",
                              {"title": p.strip("/").split("/")[-1].capitalize(), "timeline": self.tl()[:3]})
        m = re.fullmatch(r"/([A-Za-z0-9_]{1,15})/status/([0-9]+)(?:/.*)?", p)
        if m:
            t = self.tweets.get(m.group(2))
            if t and t["screen_name"].lower() != m.group(1).lower():
                return redirect("/%s/status/%s" % (t["screen_name"], t["id"]))
            replies = [self.pub(x) for x in sorted(self.tweets.values(), key=lambda x: int(x["id"])) if t and x["in_reply_to"] == t["id"]]
            return self.shell(req, user, "status", ("%s on X: \"%s\" / X" % (t["name"], t["text"][:60])) if t else "Page not found / X",
                              {"status": self.pub(t) if t else None, "replies": replies})
        m = re.fullmatch(r"/([A-Za-z0-9_]{1,15})(?:/(with_replies|media|likes|highlights|articles|replies))?", p)
        if m and m.group(1) not in ("i", "compose", "search"):
            sn = m.group(1)
            known = sn in self.users_meta or any(t["screen_name"] == sn for t in self.tweets.values())
            prof = {"screen_name": sn, "name": self.users_meta.get(sn, sn),
                    "tweets": self.tl(lambda t: t["screen_name"].lower() == sn.lower())} if known else None
            return self.shell(req, user, "profile", "%s (@%s) / X" % (self.users_meta.get(sn, sn), sn), {"profile": prof})
        return self.shell(req, user, "other", "Page not found / X", {"title": "Hmm...this page doesn’t exist."})

    def api_upload(self, req):
        user, err = self.api_auth(req)
        if err:
            return err
        fields, files = req.form()
        files = [f for f in files if f[0] == "media"] or files
        if not files:
            return jresp({"errors": [{"code": 38, "message": "media parameter is missing."}]}, 400)
        name, fname, data, ctype = files[0]
        mid = self.new_id()
        with self.lock:
            self.media[mid] = dict(name=fname, size=len(data), ctype=ctype, data=data, user=user)
        return jresp({"media_id": int(mid), "media_id_string": mid, "size": len(data), "expires_after_secs": 86400,
                      "image": {"image_type": ctype, "w": 1200, "h": 800}})

    @staticmethod
    def weighted(t):
        n = 0

        def url(_):
            nonlocal n
            n += 23
            return ""
        t = re.sub(r"https?://\S+", url, t)
        for ch in t:
            cp = ord(ch)
            if 0xFE00 <= cp <= 0xFE0F or cp == 0x200D:
                continue
            n += 1 if (cp <= 0x10FF or 0x2000 <= cp <= 0x200D or 0x2010 <= cp <= 0x201F or 0x2032 <= cp <= 0x2037) else 2
        return n

    def api_create(self, req):
        user, err = self.api_auth(req)
        if err:
            return err
        body = req.json() or {}
        v = body.get("variables") or {}
        text = v.get("tweet_text")
        if not isinstance(text, str):
            text = ""
        mids = [str(m.get("media_id")) for m in ((v.get("media") or {}).get("media_entities") or [])]
        reply_to = ((v.get("reply") or {}).get("in_reply_to_tweet_id"))
        batch = v.get("batch_compose")
        with self.lock:
            mine = [t for t in self.tweets.values() if t["screen_name"] == user]
            if text.strip() and any(t["text"].strip() == text.strip() for t in mine):
                return jresp({"errors": [{"message": "Authorization: Status is a duplicate. (187)", "code": 187, "kind": "Permissions"}],
                              "data": {}})
            if sum(1 for t in mine if now() - t["created_at"] < 86400) >= 300:
                return jresp({"errors": [{"message": "User is over daily status update limit. (185)", "code": 185}], "data": {}})
            if not text.strip() and not mids:
                return jresp({"errors": [{"message": "Missing tweet text. (170)", "code": 170}], "data": {}})
            if self.weighted(text) > 280:
                return jresp({"errors": [{"message": "Tweet needs to be a bit shorter. (186)", "code": 186}], "data": {}})
            media = []
            for mid in mids[:4]:
                md = self.media.get(mid)
                if not md or md["user"] != user:
                    return jresp({"errors": [{"message": "Your media IDs are invalid. (324)", "code": 324}], "data": {}})
                media.append(md)
            tid = self.new_id()
            t = dict(id=tid, screen_name=user, name=self.users_meta.get(user, user), text=text, created_at=int(now()),
                     media=[{"url": "/media/" + m_id, "name": self.media[m_id]["name"]} for m_id in mids[:4]],
                     replies=0, reposts=0, likes=0, in_reply_to=reply_to, rec=None)
            self.tweets[tid] = t
            parent = self.tweets.get(reply_to) if reply_to else None
            if parent:
                parent["replies"] += 1
            mrec = [{"name": m["name"], "size": m["size"], "part": 0} for m in media]
            if batch == "BatchSubsequent" and parent and parent.get("rec"):
                rec = parent["rec"]
                rec["thread"].append(text)
                rec["thread_ids"].append(tid)
                part = len(rec["thread"]) - 1
                for m in mrec:
                    m["part"] = part
                rec["media"].extend(mrec)
                rec["kind"] = "thread"
                t["rec"] = rec
            else:
                rec = self.record(id=tid, kind="reply" if reply_to else "post", text=text, media=mrec, thread=[text],
                                  public_url=self.abs("/%s/status/%s" % (user, tid)))
                rec["thread_ids"] = [tid]
                rec["in_reply_to"] = reply_to
                t["rec"] = rec
        lite = self.pub(t)
        return jresp({"data": {"create_tweet": {"tweet_results": {"result": {"rest_id": tid, "__typename": "Tweet",
                                                                             "legacy_lite": lite}}}}})


# ================================================================ Reddit (shared helpers)

def reddit_slug(title):
    s = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")
    if len(s) > 50:
        s = s[:50].rsplit("_", 1)[0] or s[:50]
    return s


FLAIRS = [("Discussion", "#0079d3"), ("News", "#ff4500"), ("Show", "#46d160")]


def flair_id(sub, name):
    import hashlib
    h = hashlib.sha1(("%s/%s" % (sub.lower(), name)).encode()).hexdigest()
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:32])


class RedditBase(Site):
    cookie_name = "reddit_session"
    slug_in_public_url = False

    def setup(self):
        self.items = {}            # id -> post
        self.counter = int("1k2a00", 36) + random.randint(0, 5000)
        self.last_post = {}
        seeds = [("python", "carol", "What's your favourite stdlib module nobody talks about?", "", "Mine is `graphlib`."),
                 ("test", "bob", "Just testing, ignore", "", ""),
                 ("flairtest", "dave", "Weekly discussion thread", "", "Talk about anything.", "Discussion"),
                 ("programming", "erin", "The grand unified theory of documentation", "https://docs.divio.com/documentation-system/", "")]
        for i, s in enumerate(seeds):
            sub, who, title, url, body = s[:5]
            self.add_post(sub, who, title, url, body, [], s[5] if len(s) > 5 else None, created=now() - 5000 + i * 600)

    def make_token(self, user):
        def b64(o):
            return base64.urlsafe_b64encode(json.dumps(o).encode()).decode().rstrip("=")
        return "%s.%s.%s" % (b64({"alg": "RS256", "kid": "SHA256:lV7ZMZ", "typ": "JWT"}),
                             b64({"sub": "t2_" + b36(random.randint(10 ** 9, 10 ** 10)), "exp": int(now()) + 15552000,
                                  "jti": rand_token(22)}), rand_token(86, string.ascii_letters + string.digits + "-_"))

    def add_post(self, sub, user, title, url, body, media, flair, created=None):
        with self.lock:
            self.counter += random.randint(1, 40)
            pid = b36(self.counter)
            self.items[pid] = dict(id=pid, sub=sub, by=user, title=title, url=url, body=body, media=media, flair=flair,
                                   created=created or now(), score=1, slug=reddit_slug(title))
        return self.items[pid]

    def permalink(self, it):
        return "/r/%s/comments/%s/%s/" % (it["sub"], it["id"], it["slug"]) if it["slug"] else "/r/%s/comments/%s/" % (it["sub"], it["id"])

    @staticmethod
    def sub_ok(sub):
        return bool(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_]{1,20}", sub or ""))

    @staticmethod
    def flair_required(sub):
        return sub.lower().startswith("flair")

    @staticmethod
    def not_allowed(sub):
        return sub.lower().startswith(("restricted", "notallowed"))

    def flairs_for(self, sub):
        return [{"id": flair_id(sub, n), "text": n, "bg": c} for n, c in FLAIRS] if self.flair_required(sub) else []

    def media_route(self, req):
        m = re.fullmatch(r"/media/([a-z0-9]+)/([0-9]+)", req.path)
        if not m:
            return None
        it = self.items.get(m.group(1))
        if not it or int(m.group(2)) >= len(it["media"]):
            return not_found()
        md = it["media"][int(m.group(2))]
        return Resp(md.get("data", b""), 200, md.get("ctype", "application/octet-stream"))

    def check_rate(self, user):
        """Seconds to wait, or 0."""
        with self.lock:
            d = now() - self.last_post.get(user, 0)
            return 0 if d >= 5 else int(5 - d) + 1

    def on_reset(self):
        self.last_post.clear()

    def store_post(self, user, sub, kind, title, url, body, files, flair):
        media = [dict(name=fn, size=len(data), ctype=ct, data=data) for (_f, fn, data, ct) in files]
        with self.lock:
            self.last_post[user] = now()
            it = self.add_post(sub, user, title, url, body, media, flair)
        short = "/r/%s/comments/%s/" % (sub, it["id"])
        self.record(id=it["id"], kind=kind, text=body, title=title, url=url or None, subreddit=sub, flair=flair,
                    media=[{"name": m["name"], "size": m["size"]} for m in media],
                    public_url=self.abs(self.permalink(it) if self.slug_in_public_url else short),
                    permalink=self.abs(self.permalink(it)), fullname="t3_" + it["id"])
        return it


# ================================================================ new Reddit (www.reddit.com)

RN_CSS = r"""
:root{--color-neutral-background:#fff;--color-primary:#0a449b;--color-orange:#d93900}
*{box-sizing:border-box}body{margin:0;padding-bottom:140px;font-family:-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;font-size:14px;color:#181c1f;background:#fff}
a{color:inherit}shreddit-app{display:block}
.hdr{position:sticky;top:0;z-index:5;height:56px;display:flex;align-items:center;gap:16px;padding:0 16px;border-bottom:1px solid #e5ebee;background:#fff}
.hdr .logo{font-weight:800;font-size:22px;color:#ff4500;text-decoration:none}
.hdr faceplate-search-input{flex:1;max-width:560px;margin:0 auto;display:block}
.hdr .right{display:flex;gap:8px;align-items:center}
.pill{border-radius:999px;padding:8px 14px;border:0;background:#e5ebee;font-weight:600;cursor:pointer;text-decoration:none;display:inline-flex;align-items:center;gap:6px}
.pill.primary{background:#0a449b;color:#fff}.pill.orange{background:#d93900;color:#fff}
.grid{display:grid;grid-template-columns:240px minmax(0,756px) 316px;gap:24px;max-width:1380px;margin:0 auto}
.leftnav{border-right:1px solid #e5ebee;padding:16px;min-height:90vh}.leftnav a{display:block;padding:10px 12px;border-radius:8px;text-decoration:none}
.leftnav a:hover{background:#f2f4f5}main{padding:16px 0}
.rightbar aside{background:#f6f8f9;border-radius:16px;padding:16px;margin-top:16px}
h1.composer-title{font-size:24px;margin:8px 0 16px}
community-picker{display:block;margin-bottom:16px}community-picker button{border-radius:999px;border:1px solid #cfd6db;background:#fff;padding:8px 14px;font-weight:600}
community-picker input{border:1px solid #cfd6db;border-radius:999px;padding:8px 14px;margin-left:8px}
r-post-composer-form{display:block}
shreddit-composer{display:block;border:1px solid #cfd6db;border-radius:16px;margin-top:12px;position:relative}
shreddit-composer [slot=rte]{min-height:120px;padding:8px 16px;outline:none;white-space:pre-wrap;word-break:break-word}
shreddit-composer [slot=rte] p{margin:.6em 0}shreddit-composer [slot=placeholder]{position:absolute;left:16px;top:54px;color:#5c6c74;pointer-events:none}
shreddit-post{display:block;border-bottom:1px solid #e5ebee;padding:12px 16px;position:relative}
shreddit-post a[slot=full-post-link]{position:absolute;inset:0;z-index:0}
shreddit-post a[slot=title]{font-size:18px;font-weight:600;text-decoration:none;position:relative;z-index:1;display:block;margin:4px 0}
shreddit-post .meta{font-size:12px;color:#5c6c74;position:relative;z-index:1}
shreddit-post .md{position:relative;z-index:1}.md p{margin:.4em 0;white-space:pre-wrap}
.flair-pill{display:inline-block;border-radius:999px;padding:2px 8px;font-size:12px;color:#fff}
.toast{position:fixed;bottom:24px;left:50%;transform:translateX(-50%);background:#0e1113;color:#fff;border-radius:12px;padding:12px 18px;z-index:30}
reddit-cookie-banner{position:fixed;left:16px;bottom:16px;max-width:380px;z-index:25;display:block}
[hidden]{display:none!important}
.login-card{max-width:400px;margin:60px auto;padding:24px;border-radius:16px;box-shadow:0 4px 20px rgba(0,0,0,.15)}
.login-card faceplate-text-input{display:block;margin:12px 0}.err{color:#d93900;min-height:1em}
#composer-error{color:#d93900;margin-top:10px;min-height:1em}
.subhead{display:flex;align-items:center;gap:12px;padding:12px 0;border-bottom:1px solid #e5ebee}.subhead h1{margin:0;font-size:28px}
"""

RN_TEXTAREA_SHADOW = (
    '<template shadowrootmode="open"><style>:host{display:block;margin:10px 0}'
    'label{display:block;border:1px solid #cfd6db;border-radius:20px;padding:6px 16px;background:#f6f8f9}'
    'label:focus-within{border-color:#0a449b}.lbl{font-size:12px;color:#5c6c74;display:block}'
    'textarea{width:100%%;border:0;background:transparent;font:inherit;font-size:16px;resize:none;outline:none;min-height:24px}'
    '.foot{display:flex;justify-content:space-between;font-size:12px;color:#5c6c74;padding:2px 16px}#helper{color:#d93900}</style>'
    '<label for="innerTextArea"><span class="lbl">%s<span class="req" aria-hidden="true">%s</span></span>'
    '<textarea id="innerTextArea" name="%s" rows="1" maxlength="%d" %s aria-label="%s" aria-describedby="helper counter" '
    'autocomplete="off" spellcheck="true"></textarea></label>'
    '<div class="foot"><span id="helper" role="alert"></span><span id="counter" aria-live="polite">0/%d</span></div></template>')

RN_APP_JS = r"""
(function () {
  'use strict';
  function $(s, r) { return (r || document).querySelector(s); }
  function ev(el, name, detail) { el.dispatchEvent(new CustomEvent(name, {bubbles: true, composed: true, detail: detail})); }
  function esc(s) { return String(s).replace(/[&<>"']/g, function (c) { return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]; }); }
  function later(fn) { setTimeout(fn, 150 + Math.random() * 450); }

  customElements.define('shreddit-app', class extends HTMLElement {});

  /* ---- faceplate-textarea-input: declarative shadow root (server-rendered) + behaviour */
  customElements.define('faceplate-textarea-input', class extends HTMLElement {
    connectedCallback() {
      if (this._up) return; this._up = true;
      if (!this.shadowRoot) { var sr = this.attachShadow({mode: 'open'}); sr.innerHTML = '<textarea id="innerTextArea"></textarea><span id="counter"></span><span id="helper"></span>'; }
      var ta = this.shadowRoot.getElementById('innerTextArea'), me = this, max = +(this.getAttribute('maxlength') || 300);
      var upd = function () { me.shadowRoot.getElementById('counter').textContent = ta.value.length + '/' + max;
        ta.style.height = 'auto'; ta.style.height = ta.scrollHeight + 'px'; };
      ta.addEventListener('input', upd); ta.addEventListener('change', upd);
      ta.addEventListener('keydown', function (e) { if (e.key === 'Enter') e.preventDefault(); });
    }
    get value() { return this.shadowRoot ? this.shadowRoot.getElementById('innerTextArea').value : ''; }
    set value(v) { if (this.shadowRoot) this.shadowRoot.getElementById('innerTextArea').value = v; }
    setHelper(t) { if (this.shadowRoot) this.shadowRoot.getElementById('helper').textContent = t || ''; }
  });

  customElements.define('faceplate-text-input', class extends HTMLElement {
    get value() { var i = this.shadowRoot && this.shadowRoot.querySelector('input'); return i ? i.value : ''; }
  });

  customElements.define('faceplate-search-input', class extends HTMLElement {
    connectedCallback() {
      if (this.shadowRoot) return;
      var sr = this.attachShadow({mode: 'open'});
      sr.innerHTML = '<style>form{display:flex;background:#e5ebee;border-radius:999px;padding:0 16px}input{border:0;background:transparent;height:40px;flex:1;font:inherit;outline:none}</style>' +
        '<form action="/search/" method="get" role="search"><input type="text" name="q" autocomplete="off" placeholder="' + esc(this.getAttribute('placeholder') || 'Search Reddit') + '" aria-label="Search Reddit" enterkeyhint="search"></form>';
    }
  });

  /* ---- post type tabs */
  var TYPES = [['TEXT', 'Text'], ['IMAGE', 'Images & Video'], ['LINK', 'Link'], ['POLL', 'Poll']];
  customElements.define('r-post-type-select', class extends HTMLElement {
    connectedCallback() {
      if (this.shadowRoot) return;
      var me = this, sr = this.attachShadow({mode: 'open'});
      sr.innerHTML = '<style>[role=tablist]{display:flex;gap:4px;border-bottom:1px solid #e5ebee;margin:8px 0}' +
        'button{background:none;border:0;padding:12px 16px;font:inherit;font-weight:600;color:#5c6c74;cursor:pointer;border-bottom:3px solid transparent}' +
        'button[aria-selected=true]{color:#181c1f;border-bottom-color:#0a449b}button[disabled]{opacity:.4;cursor:not-allowed}</style>' +
        '<div role="tablist" aria-label="Post type" id="post-type-tablist">' + TYPES.map(function (t) {
          return '<button role="tab" type="button" id="' + t[0].toLowerCase() + '-tab" data-select-value="' + t[0] + '" aria-selected="false"' +
            (t[0] === 'POLL' ? ' disabled aria-disabled="true" title="Polls are not available in this community"' : '') + '><span>' + t[1] + '</span></button>';
        }).join('') + '</div>';
      sr.addEventListener('click', function (e) {
        var b = e.target.closest('button[data-select-value]'); if (!b || b.disabled) return;
        me.setAttribute('selected', b.getAttribute('data-select-value')); ev(me, 'post-type-change', {type: b.getAttribute('data-select-value')});
      });
      this.sync();
    }
    static get observedAttributes() { return ['selected']; }
    attributeChangedCallback() { this.sync(); }
    sync() { if (!this.shadowRoot) return; var v = this.getAttribute('selected') || 'TEXT';
      this.shadowRoot.querySelectorAll('button').forEach(function (b) { b.setAttribute('aria-selected', String(b.getAttribute('data-select-value') === v)); }); }
  });

  /* ---- media input */
  var ACCEPT = 'image/png,image/jpeg,image/gif,image/webp,video/mp4,video/quicktime';
  customElements.define('r-post-media-input', class extends HTMLElement {
    connectedCallback() {
      if (this.shadowRoot) return;
      var me = this, sr = this.attachShadow({mode: 'open'}); this.files = [];
      sr.innerHTML = '<style>.drop{border:1px dashed #cfd6db;border-radius:16px;min-height:140px;display:flex;flex-direction:column;align-items:center;justify-content:center;gap:8px;color:#5c6c74}' +
        '.drop.over{background:#eef3ff}.hidden{display:none}ul{list-style:none;padding:0;display:flex;gap:8px;flex-wrap:wrap}li{position:relative;width:110px;height:110px;border-radius:8px;overflow:hidden;background:#eee;font-size:11px}' +
        'li img{width:100%;height:100%;object-fit:cover}li button{position:absolute;top:4px;right:4px;border-radius:50%;border:0;background:#0008;color:#fff}#err{color:#d93900}</style>' +
        '<div class="drop" id="dropzone" part="dropzone"><span>Drag and Drop or upload media</span>' +
        '<button type="button" id="upload-button" class="button-secondary" aria-label="Upload files">Upload</button>' +
        '<input type="file" id="fileInput" class="hidden" accept="' + ACCEPT + '" multiple></div><div id="err" role="alert"></div><ul id="previews" aria-label="Uploaded media"></ul>';
      var inp = sr.getElementById('fileInput'), dz = sr.getElementById('dropzone');
      sr.getElementById('upload-button').addEventListener('click', function () { inp.click(); });
      inp.addEventListener('change', function () { me.add(Array.prototype.slice.call(inp.files || [])); inp.value = ''; });
      dz.addEventListener('dragover', function (e) { e.preventDefault(); dz.classList.add('over'); });
      dz.addEventListener('dragleave', function () { dz.classList.remove('over'); });
      dz.addEventListener('drop', function (e) { e.preventDefault(); dz.classList.remove('over'); me.add(Array.prototype.slice.call(e.dataTransfer.files || [])); });
    }
    add(list) {
      var me = this, err = this.shadowRoot.getElementById('err'); err.textContent = '';
      list.forEach(function (f) {
        if (!/^(image|video)\//.test(f.type) && !/\.(png|jpe?g|gif|webp|mp4|mov)$/i.test(f.name)) { err.textContent = 'Unsupported file type: ' + f.name; return; }
        if (me.files.length >= 20) { err.textContent = 'You can only upload up to 20 items.'; return; }
        me.files.push(f);
        var li = document.createElement('li');
        li.innerHTML = (/^image\//.test(f.type) ? '<img alt="">' : '<span></span>') + '<button type="button" aria-label="Remove">\u00d7</button>';
        if (li.querySelector('img')) li.querySelector('img').src = URL.createObjectURL(f); else li.querySelector('span').textContent = f.name;
        li.querySelector('button').addEventListener('click', function () { me.files.splice(me.files.indexOf(f), 1); li.remove(); ev(me, 'media-change'); });
        me.shadowRoot.getElementById('previews').appendChild(li);
      });
      ev(this, 'media-change');
    }
  });

  /* ---- flair modal */
  customElements.define('r-post-flairs-modal', class extends HTMLElement {
    connectedCallback() {
      if (this.shadowRoot) return;
      var me = this, sr = this.attachShadow({mode: 'open'}), flairs = JSON.parse(this.getAttribute('data-flairs') || '[]');
      var req = this.hasAttribute('flairs-required'); this.selected = null;
      sr.innerHTML = '<style>#reddit-post-flair-button{border-radius:999px;border:0;background:#e5ebee;padding:8px 14px;font:inherit;font-weight:600;cursor:pointer}' +
        '.req{color:#d93900}#flair-error{color:#d93900;font-size:12px;margin-top:4px}dialog{border:0;border-radius:16px;width:460px;padding:20px;box-shadow:0 8px 30px #0004}' +
        'label.row{display:flex;align-items:center;gap:10px;padding:8px;border-radius:8px;cursor:pointer}label.row:hover{background:#f2f4f5}' +
        '.pill{border-radius:999px;padding:2px 10px;color:#fff;font-size:12px}.actions{display:flex;justify-content:flex-end;gap:8px;margin-top:16px}' +
        '.actions button{border-radius:999px;border:0;padding:8px 16px;font:inherit;font-weight:600;cursor:pointer}#post-flair-modal-apply-button{background:#0a449b;color:#fff}' +
        '#post-flair-modal-apply-button[disabled]{opacity:.4}input[type=search]{width:100%;border:1px solid #cfd6db;border-radius:999px;padding:8px 12px;box-sizing:border-box}</style>' +
        '<button type="button" id="reddit-post-flair-button" aria-haspopup="dialog"><span id="flair-label">Add flair and tags</span>' + (req ? '<span class="req" aria-hidden="true">*</span>' : '') + '</button>' +
        '<div id="flair-error" role="alert" hidden></div>' +
        '<dialog id="post-flair-modal-dialog" aria-labelledby="flair-title"><h2 id="flair-title">Add flair and tags</h2>' +
        (flairs.length ? '<input type="search" placeholder="Search for flair" aria-label="Search for flair">' +
          '<fieldset role="radiogroup" aria-label="Post flair" style="border:0;padding:0;margin:12px 0">' + flairs.map(function (f) {
            return '<label class="row"><input type="radio" name="flairId" value="' + esc(f.id) + '" data-text="' + esc(f.text) + '"><span class="pill" style="background:' + esc(f.bg) + '">' + esc(f.text) + '</span></label>';
          }).join('') + '</fieldset>' : '<p>This community doesn\u2019t have post flair.</p>') +
        '<h3>Tags</h3><label class="row"><input type="checkbox" name="nsfw"> NSFW</label><label class="row"><input type="checkbox" name="spoiler"> Spoiler</label>' +
        '<div class="actions"><button type="button" id="post-flair-modal-clear-button">Clear</button><button type="button" id="post-flair-modal-cancel-button">Cancel</button>' +
        '<button type="button" id="post-flair-modal-apply-button"' + (flairs.length ? ' disabled' : '') + '>Add</button></div></dialog>';
      var dlg = sr.getElementById('post-flair-modal-dialog'), apply = sr.getElementById('post-flair-modal-apply-button');
      sr.getElementById('reddit-post-flair-button').addEventListener('click', function () {
        sr.querySelectorAll('input[name=flairId]').forEach(function (r) { r.checked = !!(me.selected && me.selected.id === r.value); });
        apply.disabled = flairs.length > 0 && !me.selected; dlg.showModal();
      });
      sr.addEventListener('change', function (e) { if (e.target.name === 'flairId') apply.disabled = false; });
      sr.addEventListener('input', function (e) { if (e.target.type === 'search') { var q = e.target.value.toLowerCase();
        sr.querySelectorAll('label.row input[name=flairId]').forEach(function (r) { r.parentNode.hidden = r.getAttribute('data-text').toLowerCase().indexOf(q) < 0; }); } });
      sr.getElementById('post-flair-modal-cancel-button').addEventListener('click', function () { dlg.close(); });
      sr.getElementById('post-flair-modal-clear-button').addEventListener('click', function () {
        sr.querySelectorAll('input[name=flairId]').forEach(function (r) { r.checked = false; }); apply.disabled = flairs.length > 0; });
      apply.addEventListener('click', function () {
        var r = sr.querySelector('input[name=flairId]:checked');
        me.selected = r ? {id: r.value, text: r.getAttribute('data-text')} : null;
        me.nsfw = sr.querySelector('input[name=nsfw]').checked; me.spoiler = sr.querySelector('input[name=spoiler]').checked;
        sr.getElementById('flair-label').textContent = me.selected ? me.selected.text : 'Add flair and tags';
        me.showError(''); dlg.close(); ev(me, 'flair-change', me.selected);
      });
    }
    showError(t) { var e = this.shadowRoot.getElementById('flair-error'); e.textContent = t; e.hidden = !t; }
  });

  /* ---- submit button (declarative shadow root) */
  customElements.define('r-post-form-submit-button', class extends HTMLElement {
    connectedCallback() {
      if (this._up) return; this._up = true;
      var me = this, b = this.shadowRoot.getElementById('inner-post-submit-button');
      b.addEventListener('click', function (e) { e.preventDefault(); if (b.disabled) return; ev(me, 'submit-post'); });
    }
    set busy(v) { var b = this.shadowRoot.getElementById('inner-post-submit-button'); b.setAttribute('aria-busy', String(!!v)); b.querySelector('span').textContent = v ? 'Posting\u2026' : 'Post'; }
    set enabled(v) { var b = this.shadowRoot.getElementById('inner-post-submit-button'); b.disabled = !v; b.setAttribute('aria-disabled', String(!v));
      if (v) this.removeAttribute('disabled'); else this.setAttribute('disabled', ''); }
  });

  /* ---- Lexical-like body editor inside shreddit-composer */
  customElements.define('shreddit-composer', class extends HTMLElement {
    connectedCallback() {
      if (this.shadowRoot) return;
      var me = this, sr = this.attachShadow({mode: 'open'});
      var tools = [['Bold', 'B'], ['Italic', 'I'], ['Strikethrough', 'S'], ['Superscript', 'x\u00b2'], ['Heading', 'T'], ['Link', '\ud83d\udd17'],
        ['Bullet list', '\u2022'], ['Number list', '1.'], ['Spoiler', '!'], ['Quote block', '\u201c'], ['Code', '</>'], ['Code block', '{ }'], ['Table', '\u25a6']];
      sr.innerHTML = '<style>:host{display:block}.tb{display:flex;gap:2px;padding:6px 10px;border-bottom:1px solid #e5ebee;flex-wrap:wrap}' +
        '.tb button{background:none;border:0;border-radius:6px;padding:6px 8px;cursor:pointer;font:inherit;color:#5c6c74}.tb button:hover{background:#f2f4f5}.sp{flex:1}</style>' +
        '<div class="tb" role="toolbar" aria-label="Formatting options">' + tools.map(function (t) { return '<button type="button" aria-label="' + t[0] + '" title="' + t[0] + '">' + esc(t[1]) + '</button>'; }).join('') +
        '<span class="sp"></span><button type="button" id="markdown-switch">Switch to Markdown Editor</button></div><slot name="placeholder"></slot><slot name="rte"></slot>';
      sr.querySelector('.tb').addEventListener('mousedown', function (e) { e.preventDefault(); });
      var rte = this.querySelector('[slot=rte]'), ph = this.querySelector('[slot=placeholder]');
      later(function () {
        rte.setAttribute('contenteditable', 'true');
        me.engine = new RichEngine(rte, {isBlock: RichEngine.isP, render: RichEngine.lexical('first:mt-0 last:mb-0', '', 'ltr'),
          onChange: function (ed) { if (ph) ph.hidden = !ed.isEmpty(); ev(me, 'composer-change'); }});
        me.setAttribute('hydrated', '');
      });
    }
    get richtext() {
      var blocks = this.engine ? this.engine.blocks : [''];
      return {document: blocks.map(function (t) { return {e: 'par', c: t ? [{e: 'text', t: t}] : []}; })};
    }
  });

  /* ---- the form */
  customElements.define('r-post-composer-form', class extends HTMLElement {
    connectedCallback() {
      if (this.shadowRoot) return;
      var me = this, sr = this.attachShadow({mode: 'open'});
      sr.innerHTML = '<style>:host{display:block}.actions{display:flex;justify-content:flex-end;gap:8px;margin-top:12px}</style>' +
        '<slot name="type"></slot><slot name="title"></slot><slot name="flair"></slot><slot name="link"></slot><slot name="media"></slot><slot name="body"></slot>' +
        '<div class="actions"><slot name="actions"></slot></div><slot name="error"></slot>';
      this.addEventListener('post-type-change', function (e) { me.setType(e.detail.type); });
      this.addEventListener('input', function () { me.refresh(); });
      this.addEventListener('change', function () { me.refresh(); });
      this.addEventListener('media-change', function () { me.refresh(); });
      this.addEventListener('submit-post', function () { me.submit(); });
      later(function () { me.setType(me.getAttribute('post-type') || 'TEXT', true); me.setAttribute('hydrated', ''); });
    }
    q(s) { return this.querySelector(s); }
    setType(t, initial) {
      this.setAttribute('post-type', t);
      var ts = this.q('r-post-type-select'); if (ts && ts.getAttribute('selected') !== t) ts.setAttribute('selected', t);
      this.q('[slot=link]').hidden = t !== 'LINK'; this.q('[slot=media]').hidden = t !== 'IMAGE';
      if (!initial) { var u = new URL(location.href); u.searchParams.set('type', t); history.replaceState(null, '', u.pathname + u.search); }
      this.refresh();
    }
    refresh() {
      var sb = this.q('r-post-form-submit-button'); if (!sb || !sb.shadowRoot) return;
      sb.enabled = !this.busy && this.q('faceplate-textarea-input[name=title]').value.trim().length > 0;
    }
    error(t) { this.q('#composer-error').textContent = t || ''; }
    submit() {
      var me = this, type = this.getAttribute('post-type') || 'TEXT', sub = this.getAttribute('subreddit-name');
      var title = this.q('faceplate-textarea-input[name=title]').value, fm = this.q('r-post-flairs-modal');
      var media = this.q('r-post-media-input'), link = this.q('faceplate-textarea-input[name=link]').value.trim();
      this.error('');
      if (!sub) return this.error('Select a community to post to.');
      if (!title.trim()) return this.q('faceplate-textarea-input[name=title]').setHelper('Please fill out this field.');
      if (fm && fm.hasAttribute('flairs-required') && !fm.selected) { fm.showError('Your post must contain post flair.'); return this.error('Your post must contain post flair.'); }
      if (type === 'IMAGE' && !(media && media.files && media.files.length)) return this.error('Please add an image or video.');
      if (type === 'LINK' && !/^https?:\/\/\S+\.\S+/i.test(link)) return this.error('Link doesn\u2019t look right.');
      var fd = new FormData();
      fd.append('subredditName', sub); fd.append('kind', type); fd.append('title', title);
      fd.append('richtext', JSON.stringify(this.q('shreddit-composer').richtext));
      if (type === 'LINK') fd.append('url', link);
      if (fm && fm.selected) { fd.append('flairId', fm.selected.id); fd.append('flairText', fm.selected.text); }
      fd.append('nsfw', String(!!(fm && fm.nsfw))); fd.append('spoiler', String(!!(fm && fm.spoiler)));
      fd.append('csrf_token', this.getAttribute('csrf-token') || '');
      if (type === 'IMAGE') media.files.forEach(function (f) { fd.append('media', f, f.name); });
      this.busy = true; this.refresh(); this.q('r-post-form-submit-button').busy = true;
      fetch('/svc/shreddit/graphql/post-submit', {method: 'POST', body: fd, credentials: 'include'}).then(function (r) { return r.json(); }).then(function (j) {
        if (j && j.ok) { location.assign(j.redirect); return; }
        me.busy = false; me.q('r-post-form-submit-button').busy = false; me.refresh();
        me.error((j && j.error) || 'Something went wrong. Please try again.');
        if (j && j.field === 'flair' && fm) fm.showError(j.error);
      }, function () { me.busy = false; me.q('r-post-form-submit-button').busy = false; me.refresh(); me.error('Something went wrong. Please try again.'); });
    }
  });

  customElements.define('community-picker', class extends HTMLElement {
    connectedCallback() {
      var me = this, inp = this.querySelector('input');
      if (!inp) return;
      var b = this.querySelector('button');
      b.addEventListener('click', function () { inp.hidden = !inp.hidden; if (!inp.hidden) inp.focus(); });
      var set = function () { var v = inp.value.trim().replace(/^\/?r\//i, ''); if (!v) return;
        var f = document.querySelector('r-post-composer-form'); f.setAttribute('subreddit-name', v); b.textContent = 'r/' + v; inp.hidden = true; };
      inp.addEventListener('change', set);
      inp.addEventListener('keydown', function (e) { if (e.key === 'Enter') { e.preventDefault(); set(); } });
    }
  });

  customElements.define('reddit-cookie-banner', class extends HTMLElement {
    connectedCallback() {
      if (this.shadowRoot || /(^|; )eu_cookie=/.test(document.cookie)) { if (!this.shadowRoot) this.remove(); return; }
      var me = this, sr = this.attachShadow({mode: 'open'});
      sr.innerHTML = '<style>div{background:#fff;border-radius:16px;box-shadow:0 4px 20px #0003;padding:16px;font-size:13px}button{border-radius:999px;border:0;padding:8px 14px;margin:8px 8px 0 0;font-weight:600;cursor:pointer}.a{background:#0a449b;color:#fff}</style>' +
        '<div role="region" aria-label="Cookie banner"><p>Reddit and its partners use cookies and similar technologies to provide you with a better experience.</p>' +
        '<button type="button" class="a" id="accept-all-cookies-button">Accept All</button><button type="button" id="reject-nonessential-cookies-button">Reject Optional Cookies</button></div>';
      sr.addEventListener('click', function (e) { if (e.target.tagName === 'BUTTON') { document.cookie = 'eu_cookie={%22opted%22:true%2C%22nonessential%22:' + (e.target.id === 'accept-all-cookies-button') + '}; path=/; max-age=31536000'; me.remove(); } });
    }
  });

  /* ---- login page */
  var lb = document.getElementById('login-button-submit');
  if (lb) {
    var go = function () {
      var u = document.getElementById('login-username').value, p = document.getElementById('login-password').value;
      var body = new URLSearchParams({username: u, password: p, csrf_token: lb.getAttribute('data-csrf') || ''});
      fetch('/svc/shreddit/account/login', {method: 'POST', body: body, credentials: 'include'}).then(function (r) { return r.json(); }).then(function (j) {
        if (j.success) location.assign(lb.getAttribute('data-dest') || '/'); else document.getElementById('login-error').textContent = 'Invalid username or password.';
      });
    };
    lb.addEventListener('click', go);
    document.addEventListener('keydown', function (e) { if (e.key === 'Enter' && document.activeElement && /login-(username|password)/.test(document.activeElement.id)) go(); });
  }
  var t = document.querySelector('.toast'); if (t) setTimeout(function () { t.remove(); }, 8000);
})();
"""


class RedditNew(RedditBase):
    name = "reddit"

    def textarea(self, name, label, maxlength, required=True):
        return ('<faceplate-textarea-input name="%s" label="%s" maxlength="%d"%s>' % (name, E(label), maxlength, " required" if required else "")
                + RN_TEXTAREA_SHADOW % (E(label), "*" if required else "", name, maxlength,
                                        'required aria-required="true"' if required else "", E(label), maxlength)
                + '</faceplate-textarea-input>')

    def shell(self, req, user, body, title, routename, right=""):
        csrf = req.cookies.get("csrf_token") or rand_token(32, "0123456789abcdef")
        if user:
            hdr_right = ('<a class="pill" href="/submit" aria-label="Create post" id="create-post">+ Create</a>'
                         '<a class="pill" href="/notifications" aria-label="Open inbox">🔔</a>'
                         '<button class="pill" id="expand-user-drawer-button" aria-label="Expand user menu" aria-haspopup="true" data-username="%s">'
                         '<span class="avatar">%s</span></button>' % (E(user), E(user[:1].upper())))
        else:
            hdr_right = ('<a class="pill" href="/appstore" id="get-app">Get app</a>'
                         '<a class="pill orange" id="login-button" href="/login/">Log In</a>')
        page = ('<!DOCTYPE html><html lang="en-US" class="theme-beta"><head><meta charset="utf-8"><title>%s</title>'
                '<meta name="viewport" content="width=device-width, initial-scale=1"><style>%s</style></head><body class="v2">'
                '<shreddit-app user-logged-in="%s" routename="%s" pagetype="%s" env="production" locale="en-US" csrf-token="%s">'
                '<reddit-header-large><header class="hdr" role="banner"><a class="logo" href="/" aria-label="Home">reddit</a>'
                '<faceplate-search-input placeholder="Search Reddit"></faceplate-search-input><div class="right">%s</div></header></reddit-header-large>'
                '<div class="grid"><flex-left-nav-container class="leftnav"><nav aria-label="Primary">'
                '<a href="/">Home</a><a href="/r/popular/">Popular</a><a href="/explore/">Explore</a><a href="/r/all/">All</a>'
                '<hr><a href="/r/python/">r/python</a><a href="/r/test/">r/test</a><a href="/r/flairtest/">r/flairtest</a></nav></flex-left-nav-container>'
                '<main id="main-content">%s</main><div class="rightbar">%s<aside><h2 style="font-size:14px">Reddit Rules</h2>'
                '<ol><li>Remember the human</li><li>Behave like you would in real life</li><li>Look for the original source of content</li></ol></aside></div></div>'
                '<reddit-cookie-banner></reddit-cookie-banner></shreddit-app><script>%s</script><script>%s</script></body></html>'
                % (E(title), RN_CSS, "true" if user else "false", routename, routename, csrf, hdr_right, body, right, EDITOR_JS, RN_APP_JS))
        r = Resp(page)
        if not req.cookies.get("csrf_token"):
            r.cookie("csrf_token", csrf, None, http_only=False)
        return r, csrf

    def post_el(self, it):
        flair = ('<shreddit-post-flair slot="post-flair"><span class="flair-pill" style="background:%s">%s</span></shreddit-post-flair>'
                 % (dict(FLAIRS).get(it["flair"], "#555"), E(it["flair"]))) if it["flair"] else ""
        paras = "".join("<p>%s</p>" % (E(l) or "<br>") for l in it["body"].split("\n")) if it["body"] else ""
        media = "".join('<img src="/media/%s/%d" alt="%s" style="max-width:100%%;border-radius:12px">' % (it["id"], i, E(m["name"]))
                        for i, m in enumerate(it["media"]))
        link = ('<a href="%s" class="post-link" rel="nofollow ugc" target="_blank">%s</a>' % (E(it["url"]), E(it["url"]))) if it["url"] else ""
        return ('<shreddit-post id="t3_%s" permalink="%s" post-title="%s" author="%s" subreddit-prefixed-name="r/%s" post-type="%s" '
                'created-timestamp="%s" score="%d"><a slot="full-post-link" href="%s" aria-hidden="true" tabindex="-1"></a>'
                '<div class="meta"><a href="/r/%s/">r/%s</a> · <a href="/user/%s/">u/%s</a> · <faceplate-timeago ts="%s">%s</faceplate-timeago></div>'
                '<a slot="title" id="post-title-t3_%s" href="%s">%s</a>%s<div slot="text-body"><div class="md">%s</div></div>%s%s</shreddit-post>'
                % (it["id"], self.permalink(it), E(it["title"]), E(it["by"]), E(it["sub"]),
                   "image" if it["media"] else "link" if it["url"] else "text",
                   time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(it["created"])), it["score"], self.permalink(it),
                   E(it["sub"]), E(it["sub"]), E(it["by"]), E(it["by"]),
                   time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(it["created"])), "just now" if now() - it["created"] < 120 else "earlier",
                   it["id"], self.permalink(it), E(it["title"]), flair, paras, media, link))

    def feed(self, items):
        its = sorted(items, key=lambda i: -i["created"])
        return "<shreddit-feed>%s</shreddit-feed>" % "".join("<article>%s</article>" % self.post_el(i) for i in its) if its else \
            '<p class="empty">There are no posts here yet.</p>'

    def submit_page(self, req, user, sub):
        ptype = (req.query.get("type") or "TEXT").upper()
        if ptype not in ("TEXT", "IMAGE", "LINK"):
            ptype = "TEXT"
        flairs = self.flairs_for(sub) if sub else []
        csrf_holder = "__CSRF__"
        picker = ('<community-picker><button type="button" id="community-picker-button" aria-label="Select a community">%s</button>'
                  '<input type="text" id="community-search" placeholder="Select a community" aria-label="Search for a community" %s></community-picker>'
                  % ("r/" + E(sub) if sub else "Select a community", "hidden" if sub else ""))
        form = ('<r-post-composer-form id="post-composer-form" subreddit-name="%s" post-type="%s" csrf-token="%s">'
                '<r-post-type-select slot="type" id="post-type-select" selected="%s"></r-post-type-select>'
                '<div slot="title">%s</div>'
                '<div slot="flair"><r-post-flairs-modal id="post-flair-modal" subreddit-name="%s"%s data-flairs="%s"></r-post-flairs-modal></div>'
                '<div slot="link" hidden>%s</div>'
                '<div slot="media" hidden><r-post-media-input id="post-composer_media" accept="image/*,video/*"></r-post-media-input></div>'
                '<div slot="body"><shreddit-composer name="body" id="post-composer_bodytext" mode="richText" placeholder="Body text (optional)">'
                '<div slot="rte" role="textbox" data-lexical-editor="true" aria-label="Post body text field" aria-multiline="true" '
                'aria-placeholder="Body text (optional)" spellcheck="true" class="px-md py-xs" style="user-select:text;white-space:pre-wrap;word-break:break-word;">'
                '<p class="first:mt-0 last:mb-0"><br></p></div><div slot="placeholder" aria-hidden="true">Body text (optional)</div></shreddit-composer></div>'
                '<div slot="actions"><button type="button" class="pill" id="save-draft-button" disabled>Save Draft</button> '
                '<r-post-form-submit-button id="submit-post-button" disabled><template shadowrootmode="open"><style>'
                'button{border-radius:999px;border:0;padding:10px 18px;font:inherit;font-weight:600;background:#0a449b;color:#fff;cursor:pointer}'
                'button[disabled]{opacity:.45;cursor:not-allowed}</style><button id="inner-post-submit-button" type="submit" class="button-primary" '
                'disabled aria-disabled="true"><span>Post</span></button></template></r-post-form-submit-button></div>'
                '<div slot="error" id="composer-error" role="alert"></div></r-post-composer-form>'
                % (E(sub), ptype, csrf_holder, ptype, self.textarea("title", "Title", 300), E(sub),
                   " flairs-required" if flairs else "", E(json.dumps(flairs)), self.textarea("link", "Link URL", 2000)))
        body = ('<div style="display:flex;justify-content:space-between;align-items:center"><h1 class="composer-title">Create post</h1>'
                '<button type="button" class="pill" id="drafts-button">Drafts</button></div>%s%s' % (picker, form))
        rules = ""
        if sub:
            rules = ('<aside><h2 style="font-size:14px">r/%s rules</h2><ol><li>Be civil</li>%s</ol></aside>'
                     % (E(sub), "<li>Every post needs a flair</li>" if flairs else ""))
        resp, csrf = self.shell(req, user, body, "Create post" + (" : r/" + sub if sub else ""), "post_submit", rules)
        resp.body = resp.body.replace(b"__CSRF__", csrf.encode())
        return resp

    def login_page(self, req, err=""):
        dest = req.query.get("dest") or req.f("dest") or "/"
        csrf = req.cookies.get("csrf_token") or rand_token(32, "0123456789abcdef")
        inp = ('<faceplate-text-input id="login-%s" name="%s" label="%s"><template shadowrootmode="open"><style>'
               'label{display:block;border-radius:20px;background:#eaedef;padding:8px 16px}input{border:0;background:transparent;width:100%%;font:inherit;font-size:16px;outline:none}'
               '</style><label><span>%s<span aria-hidden="true">*</span></span><input type="%s" name="%s" autocomplete="%s" required></label></template></faceplate-text-input>')
        body = ('<div class="login-card"><auth-flow-login><h1>Log In</h1><p>By continuing, you agree to our User Agreement and acknowledge that you understand the Privacy Policy.</p>'
                '<button type="button" class="pill" style="width:100%%">Continue with Google</button><p style="text-align:center">OR</p>%s%s'
                '<div class="err" id="login-error" role="alert">%s</div><a href="/password">Forgot password?</a><br><br>'
                '<button type="button" class="pill orange" style="width:100%%" id="login-button-submit" data-dest="%s" data-csrf="%s">Log In</button>'
                '<p>New to Reddit? <a href="/register/">Sign Up</a></p></auth-flow-login></div>'
                % (inp % ("username", "username", "Email or username", "Email or username", "text", "username", "username"),
                   inp % ("password", "password", "Password", "Password", "password", "password", "current-password"),
                   E(err), E(dest), csrf))
        return self.shell(req, None, body, "Log In", "login")[0]

    def handle(self, req):
        p = req.path
        user = self.user(req)
        r = self.media_route(req)
        if r:
            return r
        if p in ("/login", "/login/", "/account/login", "/account/login/"):
            if req.method == "POST":
                if self.users.get(req.f("username")) == req.f("password"):
                    dest = req.f("dest") or req.query.get("dest") or "/"
                    return redirect(dest if dest.startswith(("/", self.base)) else "/").cookie(
                        self.cookie_name, self.new_session(req.f("username")), 180 * 86400)
                return self.login_page(req, "Invalid username or password.")
            return redirect(req.query.get("dest") or "/") if user else self.login_page(req)
        if p == "/svc/shreddit/account/login" and req.method == "POST":
            u = req.f("username")
            if self.users.get(u) == req.f("password"):
                return jresp({"success": True}).cookie(self.cookie_name, self.new_session(u), 180 * 86400)
            return jresp({"success": False, "error": "INCORRECT_USERNAME_PASSWORD"}, 200)
        if p in ("/logout", "/logout/"):
            with self.lock:
                self.sessions.pop(req.cookies.get(self.cookie_name, ""), None)
            return redirect("/").cookie(self.cookie_name, "", 0)
        if p == "/svc/shreddit/graphql/post-submit" and req.method == "POST":
            return self.api_submit(req, user)
        if p in ("/", "/r/popular/", "/r/all/", "/explore/"):
            return self.shell(req, user, self.feed(list(self.items.values())), "Reddit - Dive into anything", "frontpage")[0]
        m = re.fullmatch(r"/(?:r/([^/]+)/)?submit/?", p)
        if m:
            if not user:
                return redirect("/login/?dest=" + urllib.parse.quote(self.abs(req.full_path), safe=""))
            sub = m.group(1) or req.query.get("subreddit", "")
            return self.submit_page(req, user, sub)
        m = re.fullmatch(r"/r/([^/]+)/comments/([a-z0-9]+)(?:/([^/]*))?/?", p)
        if m:
            it = self.items.get(m.group(2))
            if not it:
                return self.shell(req, user, "<h1>Sorry, nobody on Reddit goes by that name.</h1>", "Reddit", "post_detail")[0]
            body = ('%s<shreddit-comment-tree><faceplate-form><comment-composer-host><textarea name="comment" placeholder="Add a comment" '
                    'aria-label="Add a comment"></textarea></comment-composer-host></faceplate-form></shreddit-comment-tree>' % self.post_el(it))
            return self.shell(req, user, body, "%s : r/%s" % (it["title"], it["sub"]), "post_page")[0]
        m = re.fullmatch(r"/r/([^/]+)(?:/(new|hot|top))?/?", p)
        if m:
            sub = m.group(1)
            toast = ""
            if req.query.get("created"):
                toast = '<div class="toast" role="status">Post created</div>'
            body = ('<div class="subhead"><h1>r/%s</h1><a class="pill" href="/r/%s/submit">+ Create Post</a><button class="pill primary" type="button">Join</button></div>%s%s'
                    % (E(sub), E(sub), self.feed([i for i in self.items.values() if i["sub"].lower() == sub.lower()]), toast))
            return self.shell(req, user, body, "r/" + sub, "subreddit")[0]
        m = re.fullmatch(r"/(?:user|u)/([^/]+)(?:/(submitted|posts))?/?", p)
        if m:
            who = m.group(1)
            return self.shell(req, user, "<h1>u/%s</h1>%s" % (E(who), self.feed([i for i in self.items.values() if i["by"] == who])),
                              "u/" + who, "profile")[0]
        return self.shell(req, user, "<h1>Page not found</h1>", "Reddit", "404")[0]

    def api_submit(self, req, user):
        if not user:
            return jresp({"ok": False, "error": "Please log in to post."}, 401)
        fields, files = req.form()

        def f(n):
            v = fields.get(n)
            return v[0] if v else ""
        if not f("csrf_token") or f("csrf_token") != req.cookies.get("csrf_token"):
            return jresp({"ok": False, "error": "Something went wrong. Please refresh the page and try again."}, 403)
        sub, kind, title = f("subredditName"), f("kind").upper(), f("title")
        if not self.sub_ok(sub):
            return jresp({"ok": False, "field": "subreddit", "error": "Community not found."})
        if self.not_allowed(sub):
            return jresp({"ok": False, "field": "subreddit", "error": "You aren't allowed to post in r/%s." % sub})
        if not title.strip():
            return jresp({"ok": False, "field": "title", "error": "Please fill out this field."})
        if len(title) > 300:
            return jresp({"ok": False, "field": "title", "error": "Title must be 300 characters or less."})
        try:
            doc = json.loads(f("richtext") or '{"document":[]}')
            paras = ["".join(c.get("t", "") for c in par.get("c", [])) for par in doc.get("document", [])]
        except (ValueError, AttributeError):
            return jresp({"ok": False, "error": "Something went wrong."})
        body = "\n".join(paras)
        if body.strip() == "":
            body = ""
        flair = None
        if self.flair_required(sub):
            fl = {x["id"]: x["text"] for x in self.flairs_for(sub)}
            if f("flairId") not in fl:
                return jresp({"ok": False, "field": "flair", "error": "Your post must contain post flair."})
            flair = fl[f("flairId")]
        url = ""
        media = []
        if kind == "LINK":
            url = f("url").strip()
            if not re.match(r"^https?://\S+\.\S+", url):
                return jresp({"ok": False, "field": "url", "error": "Link doesn't look right."})
        elif kind == "IMAGE":
            media = [x for x in files if x[0] == "media"]
            if not media:
                return jresp({"ok": False, "field": "media", "error": "Please add an image or video."})
        elif kind != "TEXT":
            return jresp({"ok": False, "error": "This post type isn't supported here."})
        wait = self.check_rate(user)
        if wait:
            return jresp({"ok": False, "field": "ratelimit", "error": "You're doing that too much. Try again in %d seconds." % wait})
        it = self.store_post(user, sub, {"TEXT": "self", "IMAGE": "image", "LINK": "link"}[kind], title, url, body, media, flair)
        return jresp({"ok": True, "id": it["id"], "redirect": "/r/%s/?created=t3_%s&createdPostType=%s" % (sub, it["id"], kind)})


# ================================================================ old Reddit (old.reddit.com)

RO_CSS = r"""
body{font:normal x-small verdana,arial,helvetica,sans-serif;margin:0;padding-bottom:90px;background:#fff;color:#222;font-size:10px}
a{color:#0079d3;text-decoration:none}#header{border-bottom:1px solid #5f99cf;background:#cee3f8;position:relative;min-height:40px}
#header-bottom-left{position:absolute;bottom:0;left:0;padding:4px}#header-bottom-left .logo{font:bold 20px verdana;color:#222;margin-right:10px}
ul.tabmenu{display:inline;list-style:none;margin:0;padding:0}ul.tabmenu li{display:inline;margin:0 1px;padding:2px 6px;background:#eff7ff;font-weight:bold}
ul.tabmenu li.selected{background:#fff;border:1px solid #5f99cf;border-bottom:1px solid #fff}
#header-bottom-right{position:absolute;right:0;bottom:0;background:#eff7ff;padding:4px 10px;border-radius:7px 0 0 0;font-size:11px}
#header-bottom-right .user{font-weight:normal}form.logout{display:inline}.separator{color:gray;margin:0 4px}
.side{float:right;width:300px;margin:0 5px;padding-left:5px}.side .spacer{margin-bottom:12px}
.side .morelink{display:block;text-align:center;background:#e5eef8;border:1px solid #c4dbf1;padding:6px;font-size:13px;font-weight:bold;margin-bottom:6px}
.content{margin:7px 320px 7px 5px;font-size:12px}
.formtabs-content{border:1px solid #5f99cf;padding:10px;background:#fff;max-width:560px}
.roundfield{background:#cee3f8;border-radius:7px;padding:5px 10px 10px;margin:5px 0;font-size:large}
.roundfield .title{font-size:large;font-weight:bold}.roundfield textarea,.roundfield input[type=text],.roundfield input[type=url]{width:492px;font-size:small;padding:3px}
.roundfield .little{font-size:x-small}.required-asterisk{color:red}
.error{color:red;font-size:small;display:block;margin:3px 0}.btn{font-size:large;padding:3px 10px;margin:5px 0}
.thing{margin:0 0 8px 0;padding:2px 5px}.thing a.title{font-size:medium;color:#0000ff}.thing .tagline{color:#888;font-size:x-small}
.usertext-body .md p{margin:5px 0;white-space:pre-wrap}.linkflairlabel{display:inline-block;background:#f5f5f5;border:1px solid #ddd;border-radius:2px;padding:0 2px;font-size:x-small;color:#545454;margin-right:4px}
.infobar{background:#ffa;border:1px solid #ff6;padding:5px 10px;margin:5px 0;font-size:small}
#gdpr{position:fixed;bottom:0;left:0;right:0;background:#fff;border-top:1px solid #ccc;padding:8px 12px;font-size:12px;z-index:9}
.login-form-section{display:inline-block;vertical-align:top;width:320px;margin:20px;padding:10px;border:1px solid #ddd}
.c-form-control{display:block;width:100%;margin:4px 0;padding:6px;font-size:13px;box-sizing:border-box}
"""

RO_JS = r"""
(function () {
  'use strict';
  var form = document.getElementById('newlink');
  if (form) {
    var kind = form.querySelector('input[name=kind]');
    function setTab(which) {
      var self = which === 'self';
      form.querySelector('a.link-button').parentNode.classList.toggle('selected', !self);
      form.querySelector('a.text-button').parentNode.classList.toggle('selected', self);
      form.querySelectorAll('.link-field').forEach(function (d) { d.style.display = self ? 'none' : '';
        d.querySelectorAll('input,textarea,select,button').forEach(function (i) { i.disabled = self; }); });
      form.querySelectorAll('.self-field').forEach(function (d) { d.style.display = self ? '' : 'none';
        d.querySelectorAll('input,textarea,select,button').forEach(function (i) { i.disabled = !self; }); });
      kind.value = self ? 'self' : 'link';
      var h = form.parentNode.querySelector('h1'); if (h) h.textContent = self ? 'submit to reddit' : 'submit to reddit';
    }
    form.querySelector('a.link-button').addEventListener('click', function (e) { e.preventDefault(); setTab('link'); });
    form.querySelector('a.text-button').addEventListener('click', function (e) { e.preventDefault(); setTab('self'); });
    var fi = form.querySelector('input[type=file][name=file]');
    if (fi) fi.addEventListener('change', function () {
      var f = fi.files && fi.files[0]; if (!f) return;
      var st = form.querySelector('.media-upload-status'); st.textContent = 'uploading\u2026';
      var fd = new FormData(); fd.append('file', f, f.name); fd.append('uh', form.querySelector('input[name=uh]').value);
      fetch('/api/media/asset.json', {method: 'POST', body: fd, credentials: 'same-origin'}).then(function (r) { return r.json(); }).then(function (j) {
        if (j.url) { form.querySelector('#url').value = j.url; st.textContent = 'uploaded ' + f.name; }
        else st.textContent = j.error || 'upload failed';
      }, function () { st.textContent = 'upload failed'; });
    });
    var sug = form.querySelector('#suggest-title');
    if (sug) sug.addEventListener('click', function (e) { e.preventDefault(); var u = form.querySelector('#url').value; if (u) form.querySelector('textarea[name=title]').value = u.replace(/^https?:\/\//, '').split(/[?#]/)[0]; });
    var fsel = form.querySelector('.flairselector');
    if (fsel) {
      form.querySelector('#flair-toggle').addEventListener('click', function (e) { e.preventDefault(); fsel.style.display = fsel.style.display === 'none' ? '' : 'none'; });
      fsel.addEventListener('click', function (e) {
        var li = e.target.closest('li.flairoption'); if (!li) return; e.preventDefault();
        form.querySelector('input[name=flair_id]').value = li.getAttribute('data-flair-id');
        form.querySelector('input[name=flair_text]').value = li.textContent.trim();
        form.querySelector('#flair-current').textContent = li.textContent.trim(); fsel.style.display = 'none';
      });
    }
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      form.querySelectorAll('span.error').forEach(function (s) { s.style.display = 'none'; s.textContent = ''; });
      var status = form.querySelector('span.status'); status.textContent = 'submitting...';
      var btn = form.querySelector('button[name=submit]'); btn.disabled = true;
      var fd = new FormData(form); fd.delete('file');
      var data = new URLSearchParams(fd); data.set('api_type', 'json'); data.set('renderstyle', 'html');
      fetch('/api/submit', {method: 'POST', body: data, credentials: 'same-origin', headers: {'X-Requested-With': 'XMLHttpRequest'}})
        .then(function (r) { return r.json(); }).then(function (j) {
          var errs = (j.json && j.json.errors) || [];
          if (!errs.length && j.json && j.json.data && j.json.data.url) { status.textContent = ''; window.location = j.json.data.url; return; }
          btn.disabled = false; status.textContent = '';
          errs.forEach(function (er) {
            var sp = form.querySelector('span.error.' + er[0] + '.field-' + er[2]);
            if (!sp) { sp = document.createElement('span'); sp.className = 'error ' + er[0] + ' field-' + er[2]; btn.parentNode.insertBefore(sp, btn); }
            sp.textContent = er[1]; sp.style.display = '';
          });
        }, function () { btn.disabled = false; status.textContent = 'an error occurred (status: 500)'; });
    });
  }
  var g = document.getElementById('gdpr');
  if (g) g.querySelectorAll('button').forEach(function (b) { b.addEventListener('click', function () { document.cookie = 'eu_cookie_v2=3; path=/; max-age=31536000'; g.remove(); }); });
})();
"""


class RedditOld(RedditBase):
    name = "reddit-old"
    slug_in_public_url = True

    def setup(self):
        super().setup()
        self.modhash = {}          # session token -> uh
        self.assets = {}           # asset url -> dict(name,size,ctype,data,user)

    def uh(self, req):
        tok = req.cookies.get(self.cookie_name, "")
        with self.lock:
            if tok not in self.modhash:
                self.modhash[tok] = rand_token(50, "0123456789abcdefghijklmnopqrstuvwxyz")
            return self.modhash[tok]

    def page(self, req, user, content, title="reddit: the front page of the internet", sub=None):
        uh = self.uh(req) if user else ""
        if user:
            right = ('<span class="user"><a href="/user/%s/">%s</a>&nbsp;(<span class="userkarma" title="post karma">%d</span>)</span>'
                     '<span class="separator">|</span><a title="no new mail" href="/message/inbox/" class="nohavemail" id="mail">messages</a>'
                     '<span class="separator">|</span><a href="/prefs/" class="pref-lang">preferences</a><span class="separator">|</span>'
                     '<form method="post" action="/logout" class="logout hover"><input type="hidden" name="uh" value="%s">'
                     '<input type="hidden" name="top" value="off"><a href="javascript:void(0)" onclick="this.parentNode.submit()">logout</a></form>'
                     % (E(user), E(user), 1 + sum(1 for i in self.items.values() if i["by"] == user), uh))
        else:
            right = ('<span class="user">Want to join? <a href="/login" class="login-required">Log in or sign up</a> in seconds.</span>')
        sr = sub or ""
        side = ('<div class="side"><div class="spacer"><form action="/search" id="search" role="search"><input type="text" name="q" placeholder="search" '
                'tabindex="20"><input type="submit" value="" tabindex="22" style="display:none"></form></div>'
                '<div class="spacer"><div class="sidebox submit submit-link"><a href="%s/submit" class="morelink login-required" target="_top">Submit a new link</a></div></div>'
                '<div class="spacer"><div class="sidebox submit submit-text"><a href="%s/submit?selftext=true" class="morelink login-required" target="_top">Submit a new text post</a></div></div>'
                '<div class="spacer"><div class="titlebox"><h1 class="hover redditname"><a href="%s/">%s</a></h1>'
                '<span class="subscribers"><span class="number">1,337</span> readers</span></div></div></div>'
                % (("/r/" + E(sr)) if sr else "", ("/r/" + E(sr)) if sr else "", ("/r/" + E(sr)) if sr else "", E(sr) or "reddit.com"))
        gdpr = "" if req.cookies.get("eu_cookie_v2") else (
            '<div id="gdpr" role="dialog" aria-label="cookie notice">Cookies help us deliver our Services. By using our Services or clicking I agree, '
            'you agree to our use of cookies. <a href="https://www.reddit.com/help/privacypolicy">Learn More</a> '
            '<button type="button" class="c-btn">I agree</button> <button type="button" class="c-btn">Close</button></div>')
        html_ = ('<!doctype html><html xmlns="http://www.w3.org/1999/xhtml" lang="en" xml:lang="en"><head><title>%s</title>'
                 '<meta name="viewport" content="width=1024"><style>%s</style></head><body class="%s">'
                 '<div id="header" role="banner"><a tabindex="1" href="#content" id="jumpToContent">jump to content</a>'
                 '<div id="sr-header-area"><div class="sr-list"><ul class="flat-list sr-bar hover"><li><a href="/r/popular/">popular</a></li>'
                 '<li>-<a href="/r/all/">all</a></li><li>-<a href="/r/random/">random</a></li></ul></div></div>'
                 '<div id="header-bottom-left"><a href="/" id="header-img" class="default-header logo" title="">reddit</a>'
                 '<span class="hover pagename redditname"><a href="%s">%s</a></span><ul class="tabmenu"><li class="selected"><a href="%s/" class="choice">hot</a></li>'
                 '<li><a href="%s/new/" class="choice">new</a></li><li><a href="%s/rising/" class="choice">rising</a></li></ul></div>'
                 '<div id="header-bottom-right">%s</div></div>%s<a name="content" id="content"></a><div class="content" role="main">%s</div>%s'
                 '<script>%s</script></body></html>'
                 % (E(title), RO_CSS, "submit-page" if "newlink" in content else "listing-page",
                    ("/r/" + E(sr) + "/") if sr else "/", E(sr), ("/r/" + E(sr)) if sr else "", ("/r/" + E(sr)) if sr else "",
                    ("/r/" + E(sr)) if sr else "", right, side, content, gdpr, RO_JS))
        return Resp(html_)

    def thing(self, it, expand=False):
        flair = '<span class="linkflairlabel" title="%s">%s</span>' % (E(it["flair"]), E(it["flair"])) if it["flair"] else ""
        href = it["url"] or self.permalink(it)
        dom = "(self.%s)" % it["sub"] if not it["url"] else "(%s)" % (urllib.parse.urlsplit(it["url"]).hostname or "")
        body = ""
        if expand and (it["body"] or it["media"]):
            body = ('<div class="expando"><form action="#" class="usertext warn-on-unload" id="form-t3_%s"><div class="usertext-body may-blank-within md-container">'
                    '<div class="md">%s</div></div></form>%s</div>'
                    % (it["id"], "".join("<p>%s</p>" % (E(l) or "<br>") for l in it["body"].split("\n")),
                       "".join('<img src="/media/%s/%d" alt="%s">' % (it["id"], i, E(m["name"])) for i, m in enumerate(it["media"]))))
        return ('<div class=" thing id-t3_%s odd link %s" id="thing_t3_%s" data-fullname="t3_%s" data-type="link" data-subreddit="%s" '
                'data-author="%s" data-permalink="%s" data-url="%s"><div class="midcol unvoted"><div class="arrow up login-required" role="button" aria-label="upvote"></div>'
                '<div class="score unvoted">%d</div><div class="arrow down login-required" role="button" aria-label="downvote"></div></div>'
                '<div class="entry unvoted"><div class="top-matter"><p class="title">%s<a class="title may-blank" data-event-action="title" href="%s" tabindex="1">%s</a> '
                '<span class="domain">%s</span></p><p class="tagline">submitted <time title="%s" datetime="%s" class="live-timestamp">just now</time> by '
                '<a href="/user/%s" class="author may-blank">%s</a> to <a href="/r/%s/" class="subreddit hover may-blank">r/%s</a></p>'
                '<ul class="flat-list buttons"><li class="first"><a href="%s" class="bylink comments may-blank" rel="nofollow">comment</a></li>'
                '<li class="share"><a class="post-sharing-button" href="javascript: void 0;">share</a></li><li><a href="javascript:void(0)">save</a></li></ul></div>%s</div>'
                '<div class="child"></div><div class="clearleft"></div></div>'
                % (it["id"], "self" if not it["url"] else "", it["id"], it["id"], E(it["sub"]), E(it["by"]), self.permalink(it), E(href),
                   it["score"], flair, E(href), E(it["title"]), E(dom),
                   time.strftime("%a %b %d %H:%M:%S %Y UTC", time.gmtime(it["created"])),
                   time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(it["created"])), E(it["by"]), E(it["by"]), E(it["sub"]), E(it["sub"]),
                   self.permalink(it), body))

    def listing(self, items):
        its = sorted(items, key=lambda i: -i["created"])
        return '<div id="siteTable" class="sitetable linklisting">%s</div>' % (
            "".join(self.thing(i) for i in its) or '<p id="noresults" class="error">there doesn\'t seem to be anything here</p>')

    def submit_page(self, req, user, sub, vals=None, errors=()):
        vals = vals or {}
        self_tab = (vals.get("kind") == "self") if vals else req.query.get("selftext") == "true"
        errs = {}
        for code, msg, field in errors:
            errs[(code, field)] = msg

        def err(code, field):
            msg = errs.get((code, field))
            return '<span class="error %s field-%s" style="%s">%s</span>' % (code, field, "" if msg else "display:none", E(msg or ""))
        dis_link = " disabled" if self_tab else ""
        dis_self = "" if self_tab else " disabled"
        flair_html = ""
        if sub and self.flair_required(sub):
            opts = "".join('<li class="flairoption" data-flair-id="%s"><span class="linkflairlabel">%s</span></li>' % (f["id"], E(f["text"]))
                           for f in self.flairs_for(sub))
            flair_html = ('<div class="spacer"><div id="flair-field" class="roundfield"><span class="title">flair</span>'
                          '<span class="required-asterisk">*</span><div class="roundfield-content"><span id="flair-current">%s</span> '
                          '<a href="#" id="flair-toggle" class="little">select flair</a><ul class="flairselector" style="display:none">%s</ul>'
                          '<input type="hidden" name="flair_id" value="%s"><input type="hidden" name="flair_text" value="%s">%s</div></div></div>'
                          % (E(vals.get("flair_text") or "(no flair)"), opts, E(vals.get("flair_id", "")), E(vals.get("flair_text", "")),
                             err("SUBMIT_VALIDATION_FLAIR_REQUIRED", "flair")))
        action = "/r/%s/submit" % sub if sub else "/submit"
        content = (
            '<h1>submit to <a href="/r/%s/">%s</a></h1>'
            '<div class="infobar"><div class="md">You are submitting a %s. %s</div></div>'
            '<form id="newlink" class="submit content warn-on-unload" method="post" action="%s" enctype="multipart/form-data">'
            '<input type="hidden" name="uh" value="%s"><input type="hidden" name="resubmit" value="">'
            '<ul class="tabmenu formtab"><li class="%s"><a class="link-button choice" href="#">link</a></li>'
            '<li class="%s"><a class="text-button choice" href="#">text</a></li></ul>'
            '<div class="formtabs-content">'
            '<div class="spacer"><div id="title-field" class="roundfield"><span class="title">title</span><span class="required-asterisk">*</span>'
            '<div class="roundfield-content"><textarea name="title" rows="2" required>%s</textarea>%s%s</div></div></div>'
            '<div class="spacer link-field" style="%s"><div id="url-field" class="roundfield"><span class="title">url</span><span class="required-asterisk">*</span>'
            '<div class="roundfield-content"><input id="url" name="url" type="url" value="%s"%s>'
            '<div><button type="button" id="suggest-title" class="btn little"%s>suggest title</button></div>%s%s%s</div></div></div>'
            '<div class="spacer link-field" style="%s"><div id="image-field" class="roundfield"><span class="title">image/video</span>'
            '<div class="roundfield-content"><input type="file" name="file" accept="image/png,image/jpeg,image/gif,video/mp4,video/quicktime"%s> '
            '<span class="media-upload-status little"></span></div></div></div>'
            '<div class="spacer self-field" style="%s"><div id="text-field" class="roundfield"><span class="title">text</span> <span class="little gray">(optional)</span>'
            '<div class="roundfield-content"><div class="usertext-edit md-container"><div class="md"><textarea rows="1" cols="1" name="text"%s>%s</textarea></div>'
            '<div class="bottom-area"><a href="/wiki/markdown" class="help-toggle">formatting help</a></div></div>%s</div></div></div>'
            '<div class="spacer"><div id="reddit-field" class="roundfield"><span class="title">choose where to post</span><span class="required-asterisk">*</span>'
            '<div class="roundfield-content"><input id="sr-autocomplete" name="sr" type="text" autocomplete="off" value="%s">%s%s%s'
            '<div class="sr-suggestions little">your subscribed subreddits: <a href="#">python</a> <a href="#">test</a> <a href="#">flairtest</a></div></div></div></div>'
            '%s'
            '<div class="spacer"><div class="roundfield info-notice"><input type="checkbox" name="sendreplies" id="sendreplies" checked> '
            '<label for="sendreplies">send replies to my inbox</label></div></div>'
            '<input type="hidden" name="kind" value="%s">%s'
            '<button class="btn" name="submit" value="form" type="submit">submit</button><span class="status"></span>'
            '</div></form>'
            % (E(sub), E(sub) or "reddit", "text post" if self_tab else "link",
               "please be mindful of reddit's few rules and practice good reddiquette.",
               action, self.uh(req),
               "" if self_tab else "selected", "selected" if self_tab else "",
               E(vals.get("title", req.query.get("title", ""))), err("NO_TEXT", "title"), err("TOO_LONG", "title"),
               "display:none" if self_tab else "", E(vals.get("url", req.query.get("url", ""))), dis_link, dis_link,
               err("NO_URL", "url"), err("BAD_URL", "url"), err("ALREADY_SUB", "url"),
               "display:none" if self_tab else "", dis_link,
               "" if self_tab else "display:none", dis_self, E(vals.get("text", "")), err("TOO_LONG", "text"),
               E(vals.get("sr", sub)), err("SUBREDDIT_NOEXIST", "sr"), err("SUBREDDIT_NOTALLOWED", "sr"), err("SUBREDDIT_REQUIRED", "sr"),
               flair_html, "self" if self_tab else "link", err("RATELIMIT", "ratelimit")))
        return self.page(req, user, content, "submit to %s" % (sub or "reddit"), sub)

    def validate(self, req, user, fields):
        def f(n):
            v = fields.get(n)
            return (v[0] if isinstance(v, list) else v) if v else ""
        errors = []
        kind = f("kind") or "link"
        sub = f("sr").strip().replace("/r/", "").strip("/") or ""
        title = nl(f("title"))
        url = f("url").strip()
        text = nl(f("text"))
        if f("uh") != self.uh(req):
            return None, [("USER_REQUIRED", "please login to do that", "uh")], {}
        if not title.strip():
            errors.append(("NO_TEXT", "we need something here", "title"))
        elif len(title) > 300:
            errors.append(("TOO_LONG", "this is too long (max: 300)", "title"))
        if not sub:
            errors.append(("SUBREDDIT_REQUIRED", "you must specify a subreddit", "sr"))
        elif not self.sub_ok(sub):
            errors.append(("SUBREDDIT_NOEXIST", "that subreddit doesn't exist", "sr"))
        elif self.not_allowed(sub):
            errors.append(("SUBREDDIT_NOTALLOWED", "you aren't allowed to post there.", "sr"))
        if kind == "link":
            if not url:
                errors.append(("NO_URL", "a url is required", "url"))
            elif not re.match(r"^https?://[^\s/]+\.[^\s]+$|^https?://127\.0\.0\.1(:\d+)?/\S*$", url):
                errors.append(("BAD_URL", "you should check that url", "url"))
            elif not f("resubmit") and sub and any(i["url"] == url and i["sub"].lower() == sub.lower() for i in self.items.values()):
                errors.append(("ALREADY_SUB", "that link has already been submitted", "url"))
        if len(text) > 40000:
            errors.append(("TOO_LONG", "this is too long (max: 40000)", "text"))
        flair = None
        if sub and self.flair_required(sub) and not errors:
            fl = {x["id"]: x["text"] for x in self.flairs_for(sub)}
            if f("flair_id") not in fl:
                errors.append(("SUBMIT_VALIDATION_FLAIR_REQUIRED", "Your post must contain post flair.", "flair"))
            else:
                flair = fl[f("flair_id")]
        if not errors:
            wait = self.check_rate(user)
            if wait:
                errors.append(("RATELIMIT", "you are doing that too much. try again in 1 minute.", "ratelimit"))
        vals = dict(kind=kind, sr=sub, title=title, url=url, text=text, flair_id=f("flair_id"), flair_text=f("flair_text"))
        if errors:
            return None, errors, vals
        media = []
        with self.lock:
            a = self.assets.get(url) if kind == "link" else None
        if a and a["user"] == user:
            media = [("file", a["name"], a["data"], a["ctype"])]
        it = self.store_post(user, sub, "self" if kind == "self" else ("image" if media else "link"), title,
                             "" if kind == "self" else url, text if kind == "self" else "", media, flair)
        return it, [], vals

    def handle(self, req):
        p = req.path
        user = self.user(req)
        r = self.media_route(req)
        if r:
            return r
        if p in ("/login", "/login/"):
            if user:
                return redirect(req.query.get("dest") or "/")
            return self.login_page(req)
        if p in ("/post/login", "/api/login") and req.method == "POST":
            u = req.f("user")
            if self.users.get(u) == req.f("passwd"):
                dest = req.f("dest") or "/"
                return redirect(dest if dest.startswith("/") and not dest.startswith("//") else "/", 303).cookie(
                    self.cookie_name, self.new_session(u), 180 * 86400 if req.f("rem") else None)
            return self.login_page(req, "wrong password")
        if p in ("/logout", "/logout/"):
            with self.lock:
                self.sessions.pop(req.cookies.get(self.cookie_name, ""), None)
            return redirect("/", 303).cookie(self.cookie_name, "", 0)
        if not user:    # anonymous browsing is gated
            if p.startswith("/media/"):
                return not_found()
            return redirect("/login?dest=" + urllib.parse.quote(req.full_path, safe=""))
        if p == "/api/submit" and req.method == "POST":
            it, errors, _ = self.validate(req, user, req.form()[0])
            if errors:
                return jresp({"json": {"errors": [list(e) for e in errors]}})
            return jresp({"json": {"errors": [], "data": {"url": self.abs(self.permalink(it)), "drafts_count": 0, "id": it["id"], "name": "t3_" + it["id"]}}})
        if p == "/api/media/asset.json" and req.method == "POST":
            fields, files = req.form()
            if (fields.get("uh") or [""])[0] != self.uh(req):
                return jresp({"error": "please login to do that"}, 403)
            if not files:
                return jresp({"error": "no file"}, 400)
            _, fn, data, ct = files[0]
            url = self.abs("/media/asset/%s/%s" % (rand_token(12).lower(), urllib.parse.quote(fn)))
            with self.lock:
                self.assets[url] = dict(name=fn, size=len(data), ctype=ct, data=data, user=user)
            return jresp({"url": url, "asset_id": rand_token(10)})
        m = re.fullmatch(r"/media/asset/([a-z0-9]+)/.*", p)
        if m:
            a = self.assets.get(self.abs(req.raw_path))
            return Resp(a["data"], 200, a["ctype"]) if a else not_found()
        m = re.fullmatch(r"/(?:r/([^/]+)/)?submit/?", p)
        if m:
            sub = m.group(1) or ""
            if req.method == "POST":
                fields, files = req.form()
                files = [x for x in files if x[0] == "file" and x[1]]
                if files and (fields.get("kind") or ["link"])[0] == "link" and not (fields.get("url") or [""])[0].strip():
                    _, fn, data, ct = files[0]
                    aurl = self.abs("/media/asset/%s/%s" % (rand_token(12).lower(), urllib.parse.quote(fn)))
                    with self.lock:
                        self.assets[aurl] = dict(name=fn, size=len(data), ctype=ct, data=data, user=user)
                    fields["url"] = [aurl]
                it, errors, vals = self.validate(req, user, fields)
                if errors:
                    return self.submit_page(req, user, sub, vals, errors)
                return redirect(self.permalink(it), 303)
            return self.submit_page(req, user, sub)
        m = re.fullmatch(r"/r/([^/]+)/comments/([a-z0-9]+)(?:/([^/]*))?/?", p)
        if m:
            it = self.items.get(m.group(2))
            if not it:
                return self.page(req, user, '<p class="error">page not found</p>')
            content = ('<div id="siteTable" class="sitetable linklisting">%s</div><div class="commentarea"><div class="panestack-title">'
                       '<span class="title">all 0 comments</span></div><form action="#" class="usertext cloneable warn-on-unload" id="form-t3_%sc">'
                       '<input type="hidden" name="thing_id" value="t3_%s"><div class="usertext-edit md-container"><div class="md">'
                       '<textarea rows="1" cols="1" name="text"></textarea></div><div class="bottom-area"><button type="submit" class="save">save</button>'
                       '</div></div></form></div>' % (self.thing(it, True), it["id"], it["id"]))
            return self.page(req, user, content, "%s : %s" % (it["title"], it["sub"]), it["sub"])
        m = re.fullmatch(r"/r/([^/]+)(?:/(new|hot|rising|top))?/?", p)
        if m:
            sub = m.group(1)
            return self.page(req, user, self.listing([i for i in self.items.values() if i["sub"].lower() == sub.lower()]), sub, sub)
        m = re.fullmatch(r"/user/([^/]+)(?:/submitted)?/?", p)
        if m:
            return self.page(req, user, "<h1>overview for %s</h1>%s" % (E(m.group(1)), self.listing([i for i in self.items.values() if i["by"] == m.group(1)])))
        if p == "/":
            return self.page(req, user, self.listing(list(self.items.values())))
        return self.page(req, user, '<p class="error">page not found</p>')

    def login_page(self, req, err=""):
        dest = req.query.get("dest") or req.f("dest") or "/"
        content = ('<div class="login-form-section"><h1>log in</h1>'
                   '<form id="login-form" method="post" action="/post/login" class="form-v2"><input type="hidden" name="op" value="login">'
                   '<input type="hidden" name="dest" value="%s"><div class="c-form-group"><input type="text" name="user" id="user_login" '
                   'class="c-form-control" placeholder="username" maxlength="20" tabindex="3"></div>'
                   '<div class="c-form-group"><input type="password" name="passwd" id="passwd_login" class="c-form-control" placeholder="password" tabindex="3"></div>'
                   '<div class="c-checkbox"><input type="checkbox" name="rem" id="rem_login" tabindex="3"><label for="rem_login">remember me</label>'
                   '<a href="/password" class="c-pull-right">reset password</a></div><div class="c-submit-group"><span class="c-form-throbber"></span>'
                   '<button type="submit" class="c-btn c-btn-primary c-pull-right" tabindex="3">log in</button></div>'
                   '<div class="c-alert c-alert-danger">%s</div></form></div>'
                   '<div class="login-form-section"><h1>create a new account</h1><form id="register-form" method="post" action="/post/reg" class="form-v2">'
                   '<input type="hidden" name="op" value="reg"><input type="email" name="email" class="c-form-control" placeholder="email">'
                   '<input type="text" name="user" id="user_reg" class="c-form-control" placeholder="choose a username">'
                   '<input type="password" name="passwd" id="passwd_reg" class="c-form-control" placeholder="password">'
                   '<input type="password" name="passwd2" id="passwd2_reg" class="c-form-control" placeholder="verify password">'
                   '<button type="submit" class="c-btn c-btn-primary">sign up</button></form></div>' % (E(dest), E(err)))
        return self.page(req, None, content, "reddit.com: Log in")


# ================================================================ Instagram (www.instagram.com)

class ClassMap:
    """Per-page-load random atomic class names: cls(key) -> 'xq1w2e x9f8d7c ...', css uses the first one."""

    def __init__(self):
        self.map = {}
        self.pool = [self.rnd() for _ in range(40)]

    @staticmethod
    def rnd():
        return "x" + "".join(random.choice("0123456789abcdefghijklmnopqrstuvwxyz") for _ in range(random.randint(5, 7)))

    def __call__(self, key):
        if key not in self.map:
            self.map[key] = " ".join([self.rnd()] + random.sample(self.pool, random.randint(1, 5)))
        return self.map[key]

    def prim(self, key):
        return self(key).split(" ")[0]

    def css(self, template):
        return re.sub(r"%%(\w+)%%", lambda m: self.prim(m.group(1)), template)


IG_SVG = {
    "Home": "M22 23h-6.001a1 1 0 0 1-1-1v-5.455a2.997 2.997 0 1 0-5.993 0V22a1 1 0 0 1-1 1H2a1 1 0 0 1-1-1V11.543a1.002 1.002 0 0 1 .31-.724l10-9.543a1.001 1.001 0 0 1 1.38 0l10 9.543a1.002 1.002 0 0 1 .31.724V22a1 1 0 0 1-1 1Z",
    "Search": "M19 10.5A8.5 8.5 0 1 1 10.5 2a8.5 8.5 0 0 1 8.5 8.5Z M16.511 16.511 22 22",
    "Explore": "m13.173 13.164 1.491-3.829-3.83 1.49ZM12.001.5a11.5 11.5 0 1 1-11.5 11.5A11.513 11.513 0 0 1 12.001.5Z",
    "Reels": "M2.049 7.002h19.902M13.504 2.001l2.85 5.001M7.207 2.11l2.82 4.892M2 12.001v3.449c0 2.849.698 4.006 1.606 4.945.94.908 2.098 1.607 4.946 1.607h6.896c2.848 0 4.006-.699 4.946-1.607.908-.939 1.606-2.096 1.606-4.945V8.552c0-2.848-.698-4.006-1.606-4.945C19.454 2.699 18.296 2 15.448 2H8.552c-2.848 0-4.006.699-4.946 1.607C2.698 4.546 2 5.704 2 8.552Z",
    "Messenger": "M12.003 2.001a9.705 9.705 0 1 1 0 19.4 10.876 10.876 0 0 1-2.895-.384.798.798 0 0 0-.533.04l-1.984.876a.801.801 0 0 1-1.123-.708l-.054-1.78a.806.806 0 0 0-.27-.569 9.49 9.49 0 0 1-3.14-7.175 9.65 9.65 0 0 1 10-9.7Z",
    "Notifications": "M16.792 3.904A4.989 4.989 0 0 1 21.5 9.122c0 3.072-2.652 4.959-5.197 7.222-2.512 2.243-3.865 3.469-4.303 3.752-.477-.309-2.143-1.823-4.303-3.752C5.141 14.072 2.5 12.167 2.5 9.122a4.989 4.989 0 0 1 4.708-5.218 4.21 4.21 0 0 1 3.675 1.941c.84 1.175.98 1.763 1.12 1.763s.278-.588 1.11-1.766a4.17 4.17 0 0 1 3.679-1.938Z",
    "New post": "M2 12v3.45c0 2.849.698 4.005 1.606 4.944.94.909 2.098 1.608 4.946 1.608h6.896c2.848 0 4.006-.7 4.946-1.608C21.302 19.455 22 18.3 22 15.45V8.552c0-2.849-.698-4.006-1.606-4.945C19.454 2.7 18.296 2 15.448 2H8.552c-2.848 0-4.006.699-4.946 1.607C2.698 4.547 2 5.703 2 8.552Z M6.545 12.001h10.91M12.003 6.545v10.91",
    "Post": "M3 5h18v14H3z M3 15l5-5 4 4 3-3 6 6",
    "Live video": "M2 7h14v10H2z M16 10l6-3v10l-6-3",
    "AI": "M12 2l2.5 6.5L21 11l-6.5 2.5L12 20l-2.5-6.5L3 11l6.5-2.5z",
    "Threads": "M12 2a10 10 0 1 0 10 10",
    "Settings": "M3 4h18M3 12h18M3 20h18",
    "Like": "M16.792 3.904A4.989 4.989 0 0 1 21.5 9.122c0 3.072-2.652 4.959-5.197 7.222-2.512 2.243-3.865 3.469-4.303 3.752-.477-.309-2.143-1.823-4.303-3.752C5.141 14.072 2.5 12.167 2.5 9.122a4.989 4.989 0 0 1 4.708-5.218 4.21 4.21 0 0 1 3.675 1.941",
    "Comment": "M20.656 17.008a9.993 9.993 0 1 0-3.59 3.615L22 22Z",
    "Share Post": "M22 3 9.218 10.083 M11.698 20.334 22 3.001H2l7.218 7.083Z",
    "Save": "M20 21 12 13.44 4 21V3h16z",
    "Options": "M3 12h.01M12 12h.01M21 12h.01",
    "Close": "M21 3 3 21M21 21 3 3",
    "Back": "M2.5 12h19M11 3.5 2.5 12l8.5 8.5",
    "Emoji": "M12 2a10 10 0 1 0 10 10A10 10 0 0 0 12 2Z M8 14s1.5 2 4 2 4-2 4-2",
    "Carousel": "M34.8 29.7V11c0-2.9-2.3-5.2-5.2-5.2H11c-2.9 0-5.2 2.3-5.2 5.2v18.7",
    "Clip": "M2 2h20v20H2z M10 8l6 4-6 4z",
}


def ig_svg(label, c, size=24, title=True):
    return ('<svg aria-label="%s" class="%s" fill="currentColor" height="%d" role="img" viewBox="0 0 24 24" width="%d">%s'
            '<path d="%s" fill="none" stroke="currentColor" stroke-linecap="round" stroke-linejoin="round" stroke-width="2"></path></svg>'
            % (E(label), c("svg"), size, size, "<title>%s</title>" % E(label) if title else "", IG_SVG.get(label, IG_SVG["Options"])))


IG_CSS = r"""
html,body{margin:0;font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;font-size:14px;color:#000;background:#fff}
a{color:inherit;text-decoration:none}
.%%nav%%{position:fixed;top:0;left:0;bottom:0;width:220px;border-right:1px solid #dbdbdb;padding:8px 12px 20px;display:flex;flex-direction:column;background:#fff;z-index:3}
.%%logo%%{font-family:"Brush Script MT",cursive;font-size:28px;padding:25px 12px 16px;display:block}
.%%navlink%%{display:flex;align-items:center;gap:16px;padding:12px;border-radius:8px;cursor:pointer;margin:2px 0}
.%%navlink%%:hover{background:#f2f2f2}.%%navspacer%%{flex:1}
.%%main%%{margin-left:245px;display:flex;justify-content:center;padding:30px 20px 80px}
.%%feed%%{width:470px}.%%article%%{border-bottom:1px solid #dbdbdb;padding-bottom:16px;margin-bottom:16px}
.%%ahead%%{display:flex;align-items:center;gap:10px;padding:8px 0}.%%avatar%%{width:32px;height:32px;border-radius:50%;background:linear-gradient(45deg,#f09433,#dc2743,#bc1888);display:inline-block}
.%%bigavatar%%{width:150px;height:150px;border-radius:50%;background:linear-gradient(45deg,#f09433,#dc2743,#bc1888)}
.%%media%%{width:100%;aspect-ratio:1;object-fit:cover;border-radius:4px;background:#efefef;display:block}
.%%actions%%{display:flex;gap:14px;padding:8px 0}.%%actions%% div[role=button]{cursor:pointer}
.%%caption%%{white-space:pre-wrap}.%%muted%%{color:#737373}
.%%cmt%%{width:100%;border:0;outline:none;resize:none;font:inherit;padding:6px 0}
.%%side%%{width:320px;margin-left:64px}
.%%profile%%{width:935px;max-width:100%}.%%phead%%{display:flex;gap:80px;align-items:center;padding:0 40px 40px;border-bottom:1px solid #dbdbdb}
.%%pbtns%%{display:flex;gap:8px;align-items:center}.%%btn%%{background:#efefef;border-radius:8px;padding:7px 16px;font-weight:600;cursor:pointer;display:inline-block}
.%%btnblue%%{background:#0095f6;color:#fff;border-radius:8px;padding:7px 16px;font-weight:600;cursor:pointer;border:0;width:100%}
.%%btnblue%%[disabled]{opacity:.7;cursor:default}
.%%stats%%{display:flex;gap:40px;margin:20px 0;list-style:none;padding:0}.%%tabs%%{display:flex;justify-content:center;gap:60px;font-size:12px;letter-spacing:1px;font-weight:600}
.%%tab%%{padding:16px 0;color:#737373}.%%tab%%[aria-selected=true]{color:#000;border-top:1px solid #000}
.%%grid%%{display:grid;grid-template-columns:repeat(3,1fr);gap:4px}.%%cell%%{position:relative;display:block;aspect-ratio:1;background:#efefef;overflow:hidden}
.%%cell%% img{width:100%;height:100%;object-fit:cover}.%%cellicon%%{position:absolute;top:8px;right:8px;color:#fff}
.%%login%%{width:350px;margin:60px auto;border:1px solid #dbdbdb;padding:30px 40px;text-align:center}
.%%login%% input{width:100%;box-sizing:border-box;background:#fafafa;border:1px solid #dbdbdb;border-radius:3px;padding:9px 8px;margin:3px 0;font-size:12px}
.%%err%%{color:#ed4956;margin:10px 0;min-height:1em}
.%%cookie%%{position:fixed;right:20px;bottom:20px;width:300px;background:#fff;border-radius:12px;box-shadow:0 4px 20px rgba(0,0,0,.2);padding:16px;z-index:4}
.%%hidden%%{display:none}.%%highlights%%{display:flex;gap:30px;padding:20px 40px}.%%hl%%{width:77px;height:77px;border-radius:50%;border:1px solid #dbdbdb;display:flex;align-items:center;justify-content:center}
"""

IG_DIALOG_CSS = r"""
.%%submenu%%{position:fixed;background:#fff;border-radius:12px;box-shadow:0 4px 20px rgba(0,0,0,.18);padding:8px;width:220px;z-index:30}
.%%subitem%%{display:flex;justify-content:space-between;align-items:center;padding:12px;border-radius:8px;cursor:pointer}.%%subitem%%:hover{background:#f2f2f2}
.%%overlay%%{position:fixed;inset:0;background:rgba(0,0,0,.65);display:flex;align-items:center;justify-content:center;z-index:40}
.%%closex%%{position:fixed;top:14px;right:18px;color:#fff;cursor:pointer}
.%%dialog%%{background:#fff;border-radius:12px;overflow:hidden;display:flex;flex-direction:column;width:min(740px,90vw);max-height:92vh}
.%%dialog%%.%%wide%%{width:min(1080px,95vw)}
.%%dhead%%{display:flex;align-items:center;border-bottom:1px solid #dbdbdb;height:42px;padding:0 12px}
.%%hside%%{width:90px;display:flex}.%%hright%%{justify-content:flex-end}.%%htitle%%{flex:1;text-align:center}
.%%h1%%{font-size:16px;font-weight:600;margin:0}
.%%textbtn%%{color:#0095f6;font-weight:600;cursor:pointer;padding:4px}.%%textbtn%%:hover{color:#00376b}
.%%iconbtn%%{cursor:pointer;display:flex}
.%%dbody%%{display:flex;min-height:480px}.%%pick%%{flex:1;display:flex;flex-direction:column;align-items:center;justify-content:center;gap:16px}
.%%pickbtn%%{background:#0095f6;color:#fff;border:0;border-radius:8px;padding:7px 16px;font-weight:600;cursor:pointer}
.%%preview%%{width:min(740px,60vw);aspect-ratio:1;background:#000;position:relative;display:flex;align-items:center;justify-content:center}
.%%preview%% img,.%%preview%% video{max-width:100%;max-height:100%}
.%%chev%%{position:absolute;top:50%;width:30px;height:30px;border-radius:50%;background:rgba(26,26,26,.8);color:#fff;border:0;cursor:pointer}
.%%tools%%{position:absolute;bottom:12px;left:12px;display:flex;gap:10px}.%%tools%% div[role=button]{background:rgba(26,26,26,.8);color:#fff;border-radius:50%;padding:8px;cursor:pointer}
.%%panel%%{width:340px;border-left:1px solid #dbdbdb;display:flex;flex-direction:column;overflow:auto}
.%%ptabs%%{display:flex}.%%ptab%%{flex:1;text-align:center;padding:12px;cursor:pointer;font-weight:600;color:#737373;border-bottom:1px solid #dbdbdb}
.%%ptab%%[aria-selected=true]{color:#000;border-bottom-color:#000}.%%filters%%{display:grid;grid-template-columns:repeat(3,1fr);gap:12px;padding:16px}
.%%filter%%{text-align:center;font-size:12px;cursor:pointer}.%%filter%% span{display:block;aspect-ratio:1;background:#ccc;border-radius:4px;margin-bottom:4px}
.%%who%%{display:flex;gap:10px;align-items:center;padding:14px 16px;font-weight:600}
.%%capwrap%%{position:relative;padding:0 16px;min-height:168px}
.%%cap%%{outline:none;min-height:160px;font-size:16px;line-height:22px}.%%cap%% p{margin:0}
.%%ph%%{position:absolute;top:0;left:16px;color:#737373;font-size:16px;pointer-events:none}
.%%count%%{text-align:right;color:#c7c7c7;font-size:12px;padding:8px 16px;border-bottom:1px solid #dbdbdb}
.%%row%%{display:flex;justify-content:space-between;align-items:center;padding:12px 16px;border-bottom:1px solid #dbdbdb;cursor:pointer}
.%%row%% input{border:0;outline:none;font:inherit;flex:1}
.%%done%%{flex:1;display:flex;flex-direction:column;align-items:center;justify-content:center;gap:16px;font-size:20px}
.%%spin%%{width:96px;height:96px;border-radius:50%;border:4px solid #dbdbdb;border-top-color:#d62976;animation:%%spin%%k 1s linear infinite}
@keyframes %%spin%%k{to{transform:rotate(360deg)}}
.%%confirm%%{position:fixed;inset:0;background:rgba(0,0,0,.4);display:flex;align-items:center;justify-content:center;z-index:60}
.%%cbox%%{background:#fff;border-radius:12px;width:400px;text-align:center;overflow:hidden}.%%cbox%% h3{margin:28px 0 6px}
.%%cbtn%%{border-top:1px solid #dbdbdb;padding:14px;cursor:pointer}.%%cbtn%%.%%danger%%{color:#ed4956;font-weight:700}
.%%errtext%%{color:#ed4956;font-size:14px}.%%hidden%%{display:none}
"""

IG_JS = r"""
(function () {
  'use strict';
  /* CSS-in-JS: class names are minted fresh on every page load */
  var K = {}, POOL = [];
  function rnd() { var s = 'x', a = '0123456789abcdefghijklmnopqrstuvwxyz', n = 5 + Math.floor(Math.random() * 3); for (var i = 0; i < n; i++) s += a[Math.floor(Math.random() * 36)]; return s; }
  for (var i = 0; i < 30; i++) POOL.push(rnd());
  function c(k) { if (!K[k]) { var l = [rnd()], n = 1 + Math.floor(Math.random() * 4); while (n--) l.push(POOL[Math.floor(Math.random() * POOL.length)]); K[k] = l.join(' '); } return K[k]; }
  function p(k) { return c(k).split(' ')[0]; }
  var st = document.createElement('style');
  st.textContent = document.getElementById('__dlgcss').textContent.replace(/%%(\w+)%%/g, function (m, k) { return p(k); });
  document.head.appendChild(st);

  var SVG = JSON.parse(document.getElementById('__svgs').textContent);
  function svg(label, size) {
    var s = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    s.setAttribute('aria-label', label); s.setAttribute('class', c('svg')); s.setAttribute('fill', 'currentColor'); s.setAttribute('role', 'img');
    s.setAttribute('viewBox', '0 0 24 24'); s.setAttribute('height', size || 24); s.setAttribute('width', size || 24);
    s.innerHTML = '<title></title><path fill="none" stroke="currentColor" stroke-linecap="round" stroke-linejoin="round" stroke-width="2"></path>';
    s.querySelector('title').textContent = label; s.querySelector('path').setAttribute('d', SVG[label] || SVG.Options);
    return s;
  }
  function h(tag, a) {
    var el = document.createElement(tag);
    if (a) for (var k in a) { var v = a[k]; if (v == null || v === false) continue;
      if (k === 'class') el.className = v; else if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), v); else el.setAttribute(k, v === true ? '' : v); }
    for (var j = 2; j < arguments.length; j++) { var ch = arguments[j]; if (ch == null || ch === false) continue;
      if (Array.isArray(ch)) ch.forEach(function (x) { if (x) el.appendChild(typeof x === 'string' ? document.createTextNode(x) : x); });
      else el.appendChild(typeof ch === 'string' ? document.createTextNode(ch) : ch); }
    return el;
  }
  function rb(text, onclick, extra) {   /* div[role=button] found only by its text */
    var el = h('div', {role: 'button', tabindex: '0', class: extra || c('textbtn')}, text);
    el.addEventListener('click', function (e) { e.preventDefault(); e.stopPropagation(); onclick(e); });
    el.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); onclick(e); } });
    return el;
  }
  function cookie(n) { var m = document.cookie.match('(?:^|; )' + n + '=([^;]*)'); return m ? decodeURIComponent(m[1]) : ''; }
  function later(fn, a, b) { return setTimeout(fn, a + Math.random() * (b - a)); }
  var ME = document.body.getAttribute('data-viewer');
  var OKTYPE = /^(image\/(jpeg|png|heic|heif)|video\/(mp4|quicktime))$/, OKEXT = /\.(jpe?g|png|heic|heif|mp4|mov)$/i;

  /* ---------------- create flow */
  var F = null;   /* current flow state */
  function openCreate() {
    closeSubmenu();
    if (F) return;
    F = {files: [], urls: [], idx: 0, step: 'select', text: '', engine: null};
    var ov = h('div', {class: c('overlay'), role: 'presentation'});
    var close = h('div', {class: c('closex'), role: 'button', tabindex: '0'}, svg('Close', 18));
    close.addEventListener('click', tryClose);
    F.head = h('div', {class: c('dhead')}); F.body = h('div', {class: c('dbody')});
    F.dlg = h('div', {role: 'dialog', 'aria-label': 'Create new post', 'aria-modal': 'true', tabindex: '-1', class: c('dialog')}, F.head, F.body);
    ov.appendChild(close); ov.appendChild(F.dlg);
    ov.addEventListener('click', function (e) { if (e.target === ov) tryClose(); });
    F.ov = ov; document.body.appendChild(ov);
    render('select');
  }
  function head(title, onBack, right) {
    var left = h('div', {class: c('hside')});
    if (onBack) { var b = h('div', {role: 'button', tabindex: '0', class: c('iconbtn')}, svg('Back')); b.addEventListener('click', onBack); left.appendChild(b); }
    F.head.replaceChildren(left, h('div', {class: c('htitle')}, h('h1', {class: c('h1'), dir: 'auto'}, title)), h('div', {class: c('hside') + ' ' + c('hright')}, right || null));
  }
  function go(step) {   /* transitions: the old step's controls vanish first */
    F.step = step + ':pending';
    F.head.querySelectorAll('[role=button]').forEach(function (b) { b.remove(); });
    later(function () { if (F) render(step); }, 150, 450);
  }
  function preview(withChevrons) {
    var f = F.files[F.idx], u = F.urls[F.idx];
    var pv = h('div', {class: c('preview')}, /^video/.test(f.type) || /\.(mp4|mov)$/i.test(f.name) ? h('video', {src: u, muted: true, autoplay: true, loop: true}) : h('img', {alt: '', src: u, draggable: 'false'}));
    if (withChevrons && F.files.length > 1) {
      if (F.idx > 0) { var l = h('button', {'aria-label': 'Go back', class: c('chev'), style: 'left:8px', type: 'button'}, '\u2039'); l.addEventListener('click', function () { F.idx--; render(F.step); }); pv.appendChild(l); }
      if (F.idx < F.files.length - 1) { var r = h('button', {'aria-label': 'Go forward', class: c('chev'), style: 'right:8px', type: 'button'}, '\u203a'); r.addEventListener('click', function () { F.idx++; render(F.step); }); pv.appendChild(r); }
    }
    return pv;
  }
  function render(step) {
    F.step = step; F.dlg.classList.remove(p('wide'));
    if (F.engine && step !== 'caption') { F.text = F.engine.text(); F.engine.destroy(); F.engine = null; }
    if (step === 'select') {
      head('Create new post');
      var inp = h('input', {accept: 'image/jpeg,image/png,image/heic,image/heif,video/mp4,video/quicktime', class: c('hidden'), multiple: true, type: 'file'});
      inp.addEventListener('change', function () { pick(Array.prototype.slice.call(inp.files || [])); });
      var btn = h('button', {class: c('pickbtn'), type: 'button'}, 'Select from computer');
      btn.addEventListener('click', function () { inp.click(); });
      var pk = h('div', {class: c('pick')}, svg('Icon to represent media such as images or videos', 77), h('span', {dir: 'auto', style: 'font-size:20px'}, 'Drag photos and videos here'),
        h('div', null, btn), h('form', {enctype: 'multipart/form-data', method: 'POST', role: 'presentation'}, inp));
      pk.addEventListener('dragover', function (e) { e.preventDefault(); });
      pk.addEventListener('drop', function (e) { e.preventDefault(); pick(Array.prototype.slice.call(e.dataTransfer.files || [])); });
      F.body.replaceChildren(pk);
    } else if (step === 'unsupported') {
      head('File couldn\u2019t be uploaded');
      F.body.replaceChildren(h('div', {class: c('pick')}, svg('Icon to represent media such as images or videos', 77), h('span', {dir: 'auto', class: c('errtext')}, 'This file is not supported'),
        rb('Select other files', function () { render('select'); }, c('pickbtn'))));
    } else if (step === 'crop') {
      head('Crop', function () { confirmBox('Discard post?', 'If you leave, your edits won\u2019t be saved.', 'Discard', function () { F.files = []; F.urls = []; render('select'); }); },
        rb('Next', function () { go('edit'); }));
      var pv = preview(true);
      pv.appendChild(h('div', {class: c('tools')}, h('div', {role: 'button', tabindex: '0'}, svg('Select crop', 16)), h('div', {role: 'button', tabindex: '0'}, svg('Select zoom', 16))));
      pv.appendChild(h('div', {class: c('tools'), style: 'left:auto;right:12px'}, h('div', {role: 'button', tabindex: '0'}, svg('Open media gallery', 16))));
      F.body.replaceChildren(pv);
    } else if (step === 'edit') {
      head('Edit', function () { go('crop'); }, rb('Next', function () { go('caption'); }));
      F.dlg.classList.add(p('wide'));
      var names = ['Aden', 'Clarendon', 'Crema', 'Gingham', 'Juno', 'Lark', 'Ludwig', 'Moon', 'Original', 'Perpetua', 'Reyes', 'Slumber'];
      var grid = h('div', {class: c('filters')}, names.map(function (n) { return h('div', {role: 'button', tabindex: '0', class: c('filter')}, h('span', null), n); }));
      var adj = h('div', {class: c('filters'), style: 'display:none'}, ['Brightness', 'Contrast', 'Fade', 'Saturation', 'Temperature', 'Vignette'].map(function (n) {
        return h('label', {style: 'grid-column:span 3'}, n, h('input', {type: 'range', min: '-100', max: '100', value: '0', style: 'width:100%'})); }));
      var t1 = h('div', {role: 'tab', 'aria-selected': 'true', class: c('ptab'), tabindex: '0'}, 'Filters'), t2 = h('div', {role: 'tab', 'aria-selected': 'false', class: c('ptab'), tabindex: '0'}, 'Adjustments');
      t1.addEventListener('click', function () { t1.setAttribute('aria-selected', 'true'); t2.setAttribute('aria-selected', 'false'); grid.style.display = ''; adj.style.display = 'none'; });
      t2.addEventListener('click', function () { t2.setAttribute('aria-selected', 'true'); t1.setAttribute('aria-selected', 'false'); grid.style.display = 'none'; adj.style.display = ''; });
      F.body.replaceChildren(preview(true), h('div', {class: c('panel')}, h('div', {class: c('ptabs'), role: 'tablist'}, t1, t2), grid, adj));
    } else if (step === 'caption') {
      head('Create new post', function () { go('edit'); }, rb('Share', share));
      F.dlg.classList.add(p('wide'));
      var ed = h('div', {'aria-label': 'Write a caption...', class: c('cap'), contenteditable: 'true', role: 'textbox', spellcheck: 'true', tabindex: '0',
        'data-lexical-editor': 'true', style: 'user-select: text; white-space: pre-wrap; word-break: break-word;'});
      var ph = h('div', {class: c('ph'), 'aria-hidden': 'true'}, 'Write a caption...');
      var cnt = h('span', {class: c('muted')}, '0/2,200');
      F.engine = new RichEngine(ed, {isBlock: RichEngine.isP, render: RichEngine.lexical(c('cp'), c('cspan'), 'auto'), maxLength: 2200,
        onChange: function (e) { ph.style.display = e.isEmpty() ? '' : 'none'; cnt.textContent = Array.from(e.text()).length.toLocaleString('en-US') + '/2,200'; }});
      if (F.text) F.engine.setText(F.text);
      var toggles = h('div', {style: 'display:none'},
        h('div', {class: c('row')}, h('span', null, 'Hide like and view counts on this post'), h('input', {type: 'checkbox', role: 'switch', name: 'hide_like'})),
        h('div', {class: c('row')}, h('span', null, 'Turn off commenting'), h('input', {type: 'checkbox', role: 'switch', name: 'disable_comments'})));
      var adv = h('div', {class: c('row'), role: 'button', tabindex: '0'}, h('span', null, 'Advanced settings'), h('span', null, '\u2304'));
      adv.addEventListener('click', function () { toggles.style.display = toggles.style.display ? '' : 'none'; });
      F.body.replaceChildren(preview(false), h('div', {class: c('panel')},
        h('div', {class: c('who')}, h('span', {class: c('avatar')}), h('span', null, ME)),
        h('div', {class: c('capwrap')}, ed, ph),
        h('div', {class: c('count')}, h('div', {role: 'button', tabindex: '0', style: 'float:left'}, svg('Emoji', 20)), cnt),
        h('label', {class: c('row')}, h('input', {name: 'creation-location-input', placeholder: 'Add location', type: 'text', autocomplete: 'off'}), svg('Add location', 16)),
        h('label', {class: c('row')}, h('input', {placeholder: 'Add collaborators', type: 'text', autocomplete: 'off'}), svg('Add collaborators', 16)),
        h('div', {class: c('row'), role: 'button', tabindex: '0'}, h('span', null, 'Accessibility'), h('span', null, '\u2304')), adv, toggles));
      F.loc = F.body.querySelector('input[name=creation-location-input]'); F.nocomments = F.body.querySelector('input[name=disable_comments]');
    } else if (step === 'sharing') {
      head('Sharing');
      F.body.replaceChildren(h('div', {class: c('done')}, h('div', {class: c('spin'), role: 'progressbar', 'aria-label': 'Loading...'})));
    } else if (step === 'shared') {
      head('Post shared');
      F.body.replaceChildren(h('div', {class: c('done')}, h('img', {alt: 'Animated checkmark', height: '98', width: '98',
        src: 'data:image/svg+xml;utf8,' + encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 98 98"><circle cx="49" cy="49" r="46" fill="none" stroke="#d62976" stroke-width="4"/><path d="M30 50l13 13 26-27" fill="none" stroke="#d62976" stroke-width="5"/></svg>')}),
        h('span', {dir: 'auto'}, 'Your post has been shared.')));
    } else if (step === 'failed') {
      head('Something went wrong');
      F.body.replaceChildren(h('div', {class: c('done')}, h('span', {dir: 'auto', class: c('errtext')}, 'Your post couldn\u2019t be shared'),
        h('span', {class: c('muted'), style: 'font-size:14px'}, F.error || 'Something went wrong'), rb('Try again', function () { render('caption'); }, c('pickbtn'))));
    }
  }
  function pick(files) {
    var ok = files.filter(function (f) { return OKTYPE.test(f.type) || OKEXT.test(f.name); });
    if (!ok.length) { render('unsupported'); return; }
    F.files = ok.slice(0, 10); F.urls = F.files.map(function (f) { return URL.createObjectURL(f); }); F.idx = 0;
    F.body.replaceChildren(h('div', {class: c('done')}, h('div', {class: c('spin'), role: 'progressbar'})));
    later(function () { if (F) render('crop'); }, 250, 650);
  }
  function share() {
    if (!F || F.step !== 'caption') return;
    var text = F.engine.text(), fd = new FormData();
    F.files.forEach(function (f) { fd.append('photo', f, f.name); });
    fd.append('caption', text); fd.append('upload_id', String(Date.now()));
    fd.append('location', F.loc ? F.loc.value : ''); fd.append('disable_comments', F.nocomments && F.nocomments.checked ? '1' : '0');
    F.text = text; render('sharing');
    fetch('/api/v1/media/configure/', {method: 'POST', body: fd, credentials: 'include',
      headers: {'X-CSRFToken': cookie('csrftoken'), 'X-IG-App-ID': '936619743392459', 'X-Requested-With': 'XMLHttpRequest'}})
      .then(function (r) { return r.json(); }).then(function (j) {
        if (j && j.status === 'ok') later(function () { if (F) { F.shared = true; render('shared'); } }, 500, 1400);
        else { F.error = (j && j.message) || 'Something went wrong'; render('failed'); }
      }, function () { F.error = 'Something went wrong'; render('failed'); });
  }
  function confirmBox(title, msg, okText, onOk) {
    var box = h('div', {class: c('confirm'), role: 'dialog', 'aria-label': title});
    var ok = rb(okText, function () { box.remove(); onOk(); }, c('cbtn') + ' ' + c('danger'));
    var cancel = rb('Cancel', function () { box.remove(); }, c('cbtn'));
    box.appendChild(h('div', {class: c('cbox')}, h('h3', null, title), h('div', {class: c('muted'), style: 'padding:0 24px 20px'}, msg), ok, cancel));
    document.body.appendChild(box);
  }
  function tryClose() {
    if (!F) return;
    var done = function () { if (F.engine) F.engine.destroy(); F.ov.remove(); F = null; };
    if (F.shared || F.step === 'select' || F.step === 'unsupported') return done();
    confirmBox('Discard post?', 'If you leave, your edits won\u2019t be saved.', 'Discard', done);
  }

  /* ---------------- the "Create" sidebar entry and its submenu */
  var SM = null;
  function closeSubmenu() { if (SM) { SM.remove(); SM = null; } }
  function toggleSubmenu(anchor) {
    if (SM) return closeSubmenu();
    var r = anchor.getBoundingClientRect();
    SM = h('div', {class: c('submenu'), style: 'left:' + (r.left + 12) + 'px;top:' + (r.bottom + 4) + 'px'});
    [['Post', openCreate], ['Live video', function () { closeSubmenu(); }], ['AI', function () { closeSubmenu(); }]].forEach(function (it) {
      var a = h('a', {class: c('subitem'), href: '#', role: 'link', tabindex: '0'}, h('span', {dir: 'auto'}, it[0]), svg(it[0]));
      a.addEventListener('click', function (e) { e.preventDefault(); e.stopPropagation(); it[1](); });
      SM.appendChild(a);
    });
    document.body.appendChild(SM);
    var mh = SM.getBoundingClientRect().height;
    if (r.bottom + 4 + mh > window.innerHeight - 8) SM.style.top = Math.max(8, Math.min(r.top - mh - 4, window.innerHeight - mh - 8)) + 'px';
  }
  document.addEventListener('click', function (e) { if (SM && !SM.contains(e.target)) closeSubmenu(); });
  document.addEventListener('keydown', function (e) { if (e.key === 'Escape') { if (SM) closeSubmenu(); else if (F) tryClose(); } });

  /* hydration: the sidebar becomes interactive a moment after load */
  later(function () {
    var np = document.querySelector('svg[aria-label="New post"]');
    var link = np && np.closest('a,[role=link],[role=button]');
    if (link) link.addEventListener('click', function (e) { e.preventDefault(); e.stopPropagation(); toggleSubmenu(link); });
    document.querySelectorAll('[data-cookie-choice]').forEach(function (b) { b.addEventListener('click', function () {
      document.cookie = 'ig_cb=2; path=/; max-age=31536000'; var w = b.closest('[role=dialog]'); if (w) w.remove(); }); });
  }, 250, 800);
})();
"""

IG_LOGIN_JS = r"""
(function () {
  var f = document.getElementById('loginForm'); if (!f) return;
  var u = f.querySelector('input[name=username]'), pw = f.querySelector('input[name=password]'), b = f.querySelector('button[type=submit]');
  var err = document.getElementById('slfErrorAlert');
  function upd() { b.disabled = !(u.value.length > 0 && pw.value.length >= 6); }
  u.addEventListener('input', upd); pw.addEventListener('input', upd); upd();
  function cookie(n) { var m = document.cookie.match('(?:^|; )' + n + '=([^;]*)'); return m ? decodeURIComponent(m[1]) : ''; }
  f.addEventListener('submit', function (e) {
    e.preventDefault(); if (b.disabled) return;
    var body = new URLSearchParams({username: u.value, enc_password: '#PWD_INSTAGRAM_BROWSER:0:' + Math.floor(Date.now() / 1000) + ':' + pw.value,
      queryParams: '{}', optIntoOneTap: 'false'});
    fetch('/api/v1/web/accounts/login/ajax/', {method: 'POST', body: body, credentials: 'include', headers: {'X-CSRFToken': cookie('csrftoken'), 'X-Requested-With': 'XMLHttpRequest'}})
      .then(function (r) { return r.json(); }).then(function (j) {
        if (j.authenticated) location.assign(f.getAttribute('data-next') || '/');
        else err.textContent = 'Sorry, your password was incorrect. Please double-check your password.';
      });
  });
})();
"""


class Instagram(Site):
    name = "instagram"
    cookie_name = "sessionid"

    def setup(self):
        self.items = {}        # code -> post
        self.uid = {DEMO_USER: "6789012345"}
        others = [("natgeo_fan", "Golden light over the fjord. #travel"), ("bakery.daily", "Fresh sourdough, fresh start ☀️"),
                  ("bob", "New desk setup!")]
        t = now() - 86400 * 3
        for i, (u, cap) in enumerate(others + [(DEMO_USER, "First post! 🐇"), (DEMO_USER, "Tea party at four.\n\nEveryone's invited.")]):
            self.add(u, cap, [], created=t + i * 3600, color=random.choice(["#e1306c", "#405de6", "#fd1d1d", "#fcaf45", "#5851db"]))

    def make_token(self, user):
        return "%s%%3A%s%%3A%d%%3A%s" % (self.uid.get(user, "1"), rand_token(14), random.randint(10, 30), rand_token(60, string.ascii_letters + string.digits + "-_"))

    def add(self, user, caption, media, created=None, color=None):
        alpha = string.ascii_letters + string.digits + "_-"
        with self.lock:
            code = "C" + "".join(random.choice(alpha) for _ in range(10))
            self.items[code] = dict(code=code, user=user, caption=caption, media=media, created=created or now(), color=color or "#ddd",
                                    likes=random.randint(0, 900))
        return self.items[code]

    def img_src(self, it, i=0):
        if it["media"]:
            return "/media/%s/%d" % (it["code"], i)
        return "data:image/svg+xml;utf8," + urllib.parse.quote('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="%s"/></svg>' % it["color"])

    def page(self, req, user, c, main, title="Instagram", extra_js=""):
        nav = ""
        if user:
            def item(label, text, href="#", img=False):
                icon = ('<img alt="%s\'s profile picture" class="%s" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="24" height="24">' % (E(user), c("avatar"))
                        if img else ig_svg(label, c))
                return ('<div class="%s"><span class="%s"><div class="%s"><a class="%s" href="%s" role="link" tabindex="0">'
                        '<div class="%s"><div class="%s">%s</div><div class="%s"><span class="%s" dir="auto">%s</span></div></div></a></div></span></div>'
                        % (c("n1"), c("n2"), c("n3"), c("navlink"), href, c("n4"), c("n5"), icon, c("n6"), c("navtext"), E(text)))
            nav = ('<div class="%s" role="navigation"><a class="%s" href="/" role="link" tabindex="0"><span>Instagram</span></a>%s'
                   '<div class="%s"></div>%s</div>'
                   % (c("nav"), c("logo"),
                      item("Home", "Home", "/") + item("Search", "Search") + item("Explore", "Explore", "/explore/") +
                      item("Reels", "Reels", "/reels/") + item("Messenger", "Messages", "/direct/inbox/") +
                      item("Notifications", "Notifications") + item("New post", "Create") + item("", "Profile", "/%s/" % user, img=True),
                      c("navspacer"), item("Threads", "Threads", "https://www.threads.net/") + item("Settings", "More")))
        cookie = "" if req.cookies.get("ig_cb") else (
            '<div class="%s" role="dialog" aria-label="cookie consent"><div class="%s"><b>Allow the use of cookies from Instagram on this browser?</b>'
            '<p class="%s">We use cookies and similar technologies to help provide and improve content on Instagram.</p>'
            '<button class="%s" type="button" data-cookie-choice="all">Allow all cookies</button>'
            '<button class="%s" type="button" data-cookie-choice="essential" style="margin-top:6px;background:#efefef;color:#000">Decline optional cookies</button></div></div>'
            % (c("cookie"), c("ck2"), c("muted"), c("btnblue"), c("btnblue")))
        html_ = ('<!DOCTYPE html><html class="_9dls js-focus-visible" lang="en" dir="ltr"><head><meta charset="utf-8"><title>%s</title>'
                 '<meta name="viewport" content="width=device-width, initial-scale=1"><style>%s</style>'
                 '<script type="text/plain" id="__dlgcss">%s</script><script type="application/json" id="__svgs">%s</script></head>'
                 '<body class="%s" data-viewer="%s"><div id="mount_0_0_%s"><div class="%s"><div class="%s">%s<main class="%s" role="main">%s</main></div></div></div>'
                 '%s<script>%s</script><script>%s</script><script>%s</script></body></html>'
                 % (E(title), c.css(IG_CSS), IG_DIALOG_CSS, js_json(IG_SVG), c("body"), E(user or ""), rand_token(2), c("r1"), c("r2"), nav,
                    c("main"), main, cookie, EDITOR_JS, IG_JS if user else "", extra_js))
        r = Resp(html_)
        if not req.cookies.get("csrftoken"):
            r.cookie("csrftoken", rand_token(32), 365 * 86400, http_only=False)
        return r

    def login_page(self, req, err=""):
        c = ClassMap()
        nxt = req.query.get("next") or "/"
        main = ('<div class="%s"><div class="%s">Instagram</div><form id="loginForm" method="post" action="/accounts/login/" data-next="%s">'
                '<input type="hidden" name="next" value="%s"><div class="%s"><label class="%s"><span class="%s">Phone number, username, or email</span>'
                '<input aria-label="Phone number, username, or email" aria-required="true" autocapitalize="off" autocorrect="off" maxlength="75" '
                'name="username" type="text" value=""></label></div><div class="%s"><label class="%s"><span class="%s">Password</span>'
                '<input aria-label="Password" aria-required="true" autocapitalize="off" autocorrect="off" name="password" type="password" value=""></label>'
                '</div><div class="%s"><button class="%s" type="submit"><div class="%s">Log in</div></button></div>'
                '<div class="%s">OR</div><div class="%s" role="button" tabindex="0">Log in with Facebook</div>'
                '<div class="%s" id="slfErrorAlert" role="alert">%s</div><a class="%s" href="/accounts/password/reset/">Forgot password?</a></form></div>'
                '<div class="%s">Don\'t have an account? <a href="/accounts/emailsignup/">Sign up</a></div>'
                % (c("login"), c("logo"), E(nxt), E(nxt), c("l1"), c("l2"), c("hidden"), c("l1"), c("l2"), c("hidden"), c("l3"), c("btnblue"), c("l4"),
                   c("muted"), c("textlink"), c("err"), E(err), c("muted"), c("login")))
        return self.page(req, None, c, main, "Login • Instagram", IG_LOGIN_JS)

    def grid(self, c, user, its):
        cells = []
        for it in its:
            icon = ""
            if len(it["media"]) > 1:
                icon = '<div class="%s">%s</div>' % (c("cellicon"), ig_svg("Carousel", c, 22))
            elif it["media"] and it["media"][0]["ctype"].startswith("video"):
                icon = '<div class="%s">%s</div>' % (c("cellicon"), ig_svg("Clip", c, 22))
            cells.append('<div class="%s"><a class="%s" href="/%s/p/%s/" role="link" tabindex="0"><div class="%s"><img alt="%s" class="%s" crossorigin="anonymous" '
                         'src="%s"></div>%s</a></div>' % (c("gc"), c("cell"), E(user), it["code"], c("g2"), E(it["caption"][:100] or ("Photo by " + user)),
                                                          c("g3"), self.img_src(it), icon))
        return '<div class="%s">%s</div>' % (c("grid"), "".join(cells))

    def article(self, c, it):
        return ('<article class="%s"><div class="%s"><span class="%s"></span><a href="/%s/" role="link"><span dir="auto">%s</span></a>'
                '<span class="%s">• %s</span></div><div class="%s"><img alt="Photo by %s" class="%s" src="%s"></div>'
                '<section class="%s"><div role="button" tabindex="0">%s</div><div role="button" tabindex="0">%s</div><div role="button" tabindex="0">%s</div>'
                '<div role="button" tabindex="0" style="margin-left:auto">%s</div></section><div><b>%d likes</b></div>'
                '<div class="%s"><b>%s</b> %s</div><a class="%s" href="/p/%s/" role="link">View all comments</a>'
                '<form method="POST"><textarea aria-label="Add a comment…" placeholder="Add a comment…" autocomplete="off" autocorrect="off" class="%s"></textarea></form></article>'
                % (c("article"), c("ahead"), c("avatar"), E(it["user"]), E(it["user"]), c("muted"), "1d", c("am"), E(it["user"]), c("media"),
                   self.img_src(it), c("actions"), ig_svg("Like", c), ig_svg("Comment", c), ig_svg("Share Post", c), ig_svg("Save", c),
                   it["likes"], c("caption"), E(it["user"]), E(it["caption"]), c("muted"), it["code"], c("cmt")))

    def handle(self, req):
        p = req.path
        user = self.user(req)
        if p in ("/accounts/login", "/accounts/login/"):
            if req.method == "POST":
                u, pw = req.f("username"), req.f("password")
                if self.users.get(u) == pw:
                    nxt = req.f("next") or "/"
                    return redirect(nxt if nxt.startswith("/") and not nxt.startswith("//") else "/").cookie(self.cookie_name, self.new_session(u), 365 * 86400)
                return self.login_page(req, "Sorry, your password was incorrect. Please double-check your password.")
            return redirect(req.query.get("next") or "/") if user else self.login_page(req)
        if p in ("/api/v1/web/accounts/login/ajax/", "/accounts/login/ajax/") and req.method == "POST":
            u = req.f("username")
            pw = req.f("password") or req.f("enc_password").split(":", 3)[-1]
            if self.users.get(u) == pw:
                r = jresp({"user": True, "userId": self.uid.get(u, "1"), "authenticated": True, "oneTapPrompt": False, "status": "ok"})
                r.cookie("ds_user_id", self.uid.get(u, "1"), 90 * 86400, http_only=False)
                return r.cookie(self.cookie_name, self.new_session(u), 365 * 86400)
            return jresp({"user": u in self.users, "authenticated": False, "status": "ok"})
        if p in ("/accounts/logout/", "/accounts/logout"):
            with self.lock:
                self.sessions.pop(req.cookies.get(self.cookie_name, ""), None)
            return redirect("/").cookie(self.cookie_name, "", 0)
        if p in ("/challenge/", "/checkpoint/") or p.startswith(("/challenge/", "/checkpoint/")):
            c = ClassMap()
            return self.page(req, None, c, '<div class="%s"><h2>We Detected An Unusual Login Attempt</h2><p>To secure your account, we\'ll send you a security code.</p>'
                                           '<div role="button" tabindex="0" class="%s">Send Security Code</div></div>' % (c("login"), c("btnblue")), "Instagram")
        m = re.fullmatch(r"/media/([A-Za-z0-9_-]+)/([0-9]+)", p)
        if m:
            it = self.items.get(m.group(1))
            if not it or int(m.group(2)) >= len(it["media"]):
                return not_found()
            md = it["media"][int(m.group(2))]
            return Resp(md["data"], 200, md["ctype"])
        if p == "/api/v1/media/configure/" and req.method == "POST":
            return self.api_configure(req, user)
        if not user:
            if p == "/":
                return self.login_page(req)
            return redirect("/accounts/login/?next=" + urllib.parse.quote(req.full_path, safe=""))
        c = ClassMap()
        if p == "/":
            feed = "".join(self.article(c, it) for it in sorted(self.items.values(), key=lambda i: -i["created"]) if it["user"] != user)
            side = ('<div class="%s"><div class="%s"><span class="%s"></span><a href="/%s/"><b>%s</b></a></div><div class="%s">Suggested for you</div>'
                    '<div class="%s"><a href="/bakery.daily/">bakery.daily</a> <div role="button" tabindex="0" class="%s">Follow</div></div></div>'
                    % (c("side"), c("ahead"), c("avatar"), E(user), E(user), c("muted"), c("ahead"), c("textlink")))
            return self.page(req, user, c, '<div class="%s">%s</div>%s' % (c("feed"), feed, side))
        if p in ("/explore/", "/reels/", "/direct/inbox/", "/accounts/edit/"):
            return self.page(req, user, c, '<div class="%s"><h2>%s</h2></div>' % (c("feed"), E(p.strip("/").split("/")[-1].capitalize())))
        m = re.fullmatch(r"/(?:([A-Za-z0-9._]+)/)?(p|reel)/([A-Za-z0-9_-]+)/?", p)
        if m:
            it = self.items.get(m.group(3))
            if not it:
                return self.page(req, user, c, "<h2>Sorry, this page isn't available.</h2>")
            imgs = "".join('<img alt="Photo by %s" class="%s" src="%s">' % (E(it["user"]), c("media"), self.img_src(it, i))
                           for i in range(max(1, len(it["media"]))))
            return self.page(req, user, c, '<div class="%s">%s<div class="%s"><h1 class="%s" dir="auto"><b>%s</b> %s</h1></div></div>'
                             % (c("feed"), imgs, c("caption"), c("capt"), E(it["user"]), E(it["caption"]).replace("\n", "<br>")),
                             "%s on Instagram: \"%s\"" % (it["user"], it["caption"][:50]))
        m = re.fullmatch(r"/([A-Za-z0-9._]{1,30})(?:/(reels|saved|tagged))?/?", p)
        if m:
            who = m.group(1)
            its = sorted([i for i in self.items.values() if i["user"] == who], key=lambda i: -i["created"])
            if not its and who not in self.users:
                return self.page(req, user, c, "<h2>Sorry, this page isn't available.</h2>")
            tab = m.group(2) or ""
            own = who == user
            btns = ('<a class="%s" href="/accounts/edit/" role="link">Edit profile</a><a class="%s" href="/archive/stories/" role="link">View archive</a>'
                    % (c("btn"), c("btn"))) if own else '<div class="%s" role="button" tabindex="0">Follow</div>' % c("btnblue")
            tabs = "".join('<a aria-selected="%s" class="%s" href="/%s/%s" role="tab"><span>%s</span></a>'
                           % ("true" if t == tab else "false", c("tab"), E(who), (t + "/") if t else "", (t or "posts").upper())
                           for t in ("", "reels", "saved", "tagged") if own or t != "saved")
            main = ('<div class="%s"><header class="%s"><div class="%s"></div><section><div class="%s"><h2 class="%s" dir="auto">%s</h2>%s'
                    '<div role="button" tabindex="0">%s</div></div><ul class="%s"><li><span><span class="%s">%d</span> posts</span></li>'
                    '<li><a href="/%s/followers/" role="link"><span class="%s">1,024</span> followers</a></li><li><a href="/%s/following/" role="link">'
                    '<span class="%s">311</span> following</a></li></ul><div><span dir="auto">Curiouser and curiouser.</span></div></section></header>'
                    '<div class="%s"><div class="%s" role="button" tabindex="0">+</div><div class="%s">Tea</div></div>'
                    '<div class="%s" role="tablist">%s</div>%s</div>'
                    % (c("profile"), c("phead"), c("bigavatar"), c("pbtns"), c("uname"), E(who), btns, ig_svg("Options", c), c("stats"), c("num"), len(its),
                       E(who), c("num"), E(who), c("num"), c("highlights"), c("hl"), c("hl"), c("tabs"), tabs,
                       self.grid(c, who, its) if not tab else '<div class="%s">No posts yet</div>' % c("muted")))
            return self.page(req, user, c, main, "%s • Instagram photos and videos" % who)
        return self.page(req, user, c, "<h2>Sorry, this page isn't available.</h2>")

    def api_configure(self, req, user):
        if not user:
            return jresp({"message": "login_required", "status": "fail"}, 401)
        if not req.headers.get("X-CSRFToken") or req.headers.get("X-CSRFToken") != req.cookies.get("csrftoken"):
            return jresp({"message": "CSRF token missing or incorrect", "status": "fail"}, 403)
        fields, files = req.form()
        caption = nl((fields.get("caption") or [""])[0])
        photos = [f for f in files if f[0] == "photo"]
        ok = [f for f in photos if re.match(r"^(image/(jpeg|png|heic|heif)|video/(mp4|quicktime))$", f[3]) or re.search(r"\.(jpe?g|png|heic|heif|mp4|mov)$", f[1], re.I)]
        if not ok:
            return jresp({"message": "Your post couldn't be shared. Please add a photo or video.", "status": "fail"}, 400)
        if len(list(caption)) > 2200:
            return jresp({"message": "The caption is too long.", "status": "fail"}, 400)
        media = [dict(name=fn, size=len(data), ctype=ct, data=data) for (_n, fn, data, ct) in ok]
        it = self.add(user, caption, media)
        self.record(id=it["code"], kind="carousel" if len(media) > 1 else "photo", text=caption,
                    media=[{"name": m["name"], "size": m["size"]} for m in media],
                    public_url=self.abs("/p/%s/" % it["code"]), profile_url=self.abs("/%s/p/%s/" % (user, it["code"])))
        return jresp({"status": "ok", "media": {"code": it["code"], "pk": str(random.randint(10 ** 18, 10 ** 19))}})


# ================================================================ entry point

SITE_CLASSES = {
    "hackernews": "HackerNews",
    "x": "XSite",
    "reddit": "RedditNew",
    "reddit-old": "RedditOld",
    "instagram": "Instagram",
}


def main(argv):
    if len(argv) != 3 or argv[1] not in SITE_CLASSES:
        sys.stderr.write("usage: %s {%s} PORT\n" % (argv[0], "|".join(SITE_CLASSES)))
        return 2
    port = int(argv[2])
    cls = globals()[SITE_CLASSES[argv[1]]]
    httpd = ThreadingHTTPServer(("127.0.0.1", port), None)
    port = httpd.server_address[1]
    site = cls(port)
    httpd.RequestHandlerClass = make_handler(site)
    httpd.daemon_threads = True
    sys.stdout.write(json.dumps({"site": argv[1], "url": site.base,
                                 "cookie": {"name": site.cookie_name, "value": site.demo_cookie}}) + "\n")
    sys.stdout.flush()
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
