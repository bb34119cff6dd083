"""The GitHub Actions expression forms the offline runner (`action_run.py`) models: `${{ }}`
substitution and `if:` conditions, with ==, !=, &&, ||, !, parentheses, string, number, boolean
and null literals, contexts, and the status functions always(), success() and failure().
"""
import json
import re

EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.S)


class ExprError(Exception):
    pass


def tokens(text):
    pos = 0
    spec = re.compile(
        r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<op>==|!=|&&|\|\||[!().,])"
        r"|(?P<name>[A-Za-z_][A-Za-z0-9_-]*))"
    )
    out = []
    text = text.rstrip()
    while pos < len(text):
        m = spec.match(text, pos)
        if not m or m.end() == pos:
            raise ExprError(f"cannot read expression at {text[pos:]!r}")
        pos = m.end()
        kind = m.lastgroup
        value = m.group(kind)
        if kind == "str":
            value = value[1:-1].replace("''", "'")
        elif kind == "num":
            value = float(value)
        out.append((kind, value))
    return out


def to_number(v):
    if v is None:
        return 0.0
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, float):
        return v
    if isinstance(v, str):
        if v.strip() == "":
            return 0.0
        try:
            return float(v)
        except ValueError:
            return float("nan")
    return float("nan")


def equal(a, b):
    # GitHub compares strings ignoring case and coerces mismatched types to numbers.
    if isinstance(a, str) and isinstance(b, str):
        return a.lower() == b.lower()
    if type(a) is type(b) and not isinstance(a, (dict, list)):
        return a == b
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return a is b
    return to_number(a) == to_number(b)


def truthy(v):
    if v is None or v is False or v == "":
        return False
    if isinstance(v, float):
        return v != 0 and v == v
    return True


def to_string(v):
    if v is None:
        return ""
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if v == int(v) else str(v)
    if isinstance(v, (dict, list)):
        return json.dumps(v)
    return v


class Evaluator:
    """A recursive-descent evaluator for the expression forms listed in the module doc."""

    def __init__(self, contexts, status):
        self.contexts = contexts
        self.status = status  # "success" or "failure": how the steps so far have gone
        self.used_status = False

    def evaluate(self, text):
        self.toks = tokens(text)
        self.i = 0
        value = self.or_()
        if self.i != len(self.toks):
            raise ExprError(f"unexpected {self.toks[self.i][1]!r} in {text!r}")
        return value

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None)

    def take(self, value=None):
        tok = self.peek()
        if tok[0] is None or (value is not None and tok[1] != value):
            raise ExprError(f"expected {value!r}, found {tok[1]!r}")
        self.i += 1
        return tok

    def or_(self):
        left = self.and_()
        while self.peek() == ("op", "||"):
            self.take()
            right = self.and_()
            left = left if truthy(left) else right
        return left

    def and_(self):
        left = self.cmp()
        while self.peek() == ("op", "&&"):
            self.take()
            right = self.cmp()
            left = right if truthy(left) else left
        return left

    def cmp(self):
        left = self.unary()
        while self.peek() in (("op", "=="), ("op", "!=")):
            op = self.take()[1]
            right = self.unary()
            left = equal(left, right) if op == "==" else not equal(left, right)
        return left

    def unary(self):
        if self.peek() == ("op", "!"):
            self.take()
            return not truthy(self.unary())
        return self.primary()

    def primary(self):
        kind, value = self.take()
        if kind == "op" and value == "(":
            v = self.or_()
            self.take(")")
            return v
        if kind in ("str", "num"):
            return value
        if kind != "name":
            raise ExprError(f"unexpected {value!r}")
        if value in ("true", "false"):
            return value == "true"
        if value == "null":
            return None
        if self.peek() == ("op", "("):
            self.take()
            self.take(")")
            self.used_status = True
            if value == "always":
                return True
            if value == "success":
                return self.status == "success"
            if value == "failure":
                return self.status == "failure"
            raise ExprError(f"function {value}() is not modelled")
        if value not in self.contexts:
            raise ExprError(f"unknown context {value!r}")
        v = self.contexts[value]
        while self.peek() == ("op", "."):
            self.take()
            key = self.take()[1]
            v = v.get(key) if isinstance(v, dict) else None
        return v


def substitute(text, contexts, status="success"):
    """`${{ }}` in a string value: replaced by each expression's value as a string."""
    if not isinstance(text, str):
        return to_string(text)
    return EXPR.sub(lambda m: to_string(Evaluator(contexts, status).evaluate(m.group(1))), text)


def condition(expr, contexts, status):
    if expr is None:
        return status == "success"
    if isinstance(expr, bool):
        return expr and status == "success"
    text = expr.strip()
    m = re.fullmatch(r"\$\{\{(.*)\}\}", text, re.S)
    if m:
        text = m.group(1)
    ev = Evaluator(contexts, status)
    value = truthy(ev.evaluate(text))
    if not ev.used_status:
        value = value and status == "success"
    return value
