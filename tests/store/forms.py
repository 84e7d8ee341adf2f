"""Read a rendered HTML form the way a browser would submit it, so admin tests can post
back exactly what the page offers (management forms included) and change a few fields."""

from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self, form_id: str):
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.data: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data[name] = attrs.get("value", "on")
            elif kind not in ("submit", "button", "file", "image"):
                self.data[name] = attrs.get("value") or ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            # The selected option wins; without one, the browser sends the first.
            if "selected" in attrs or self._select not in self.data:
                self.data[self._select] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def form_data(html: str, form_id: str) -> dict[str, str]:
    """The name → value pairs the form with this id would submit as it stands."""
    parser = _FormParser(form_id)
    parser.feed(html)
    data = parser.data
    # Textareas start with a newline the browser drops.
    return {k: v[1:] if v.startswith("\n") else v for k, v in data.items()}
