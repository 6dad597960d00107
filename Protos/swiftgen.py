#!/usr/bin/env python3
"""Generates the Swift side of the protobuf-c messages in Protos/.

For every .proto file it writes one Swift file holding:
  - a Swift enum per proto enum (unknown wire values are rejected on decode);
  - a Swift struct per proto message, plus its bridge to the C struct that
    protoc-c generated (fill a C struct for packing, read one after unpacking);
  - per service, the typed method descriptors and a handler protocol with a
    function that registers its methods on a router.

It understands the flat subset of proto3 that Protos/ uses and refuses the
rest with a message naming the file and line: top-level messages and enums,
scalar/string/bytes/enum/message fields, `repeated`, services with unary and
server-streaming methods. It also refuses a message that contains itself,
directly or through others, so every message has a bounded nesting depth
(protobuf-c's unpack has no depth limit of its own).
"""
import argparse
import os
import re
import sys

SCALARS = {
    # proto type: (Swift type, Swift default, C member type conversion kind)
    "string": ("String", '""', "string"),
    "bytes": ("[UInt8]", "[]", "bytes"),
    "bool": ("Bool", "false", "bool"),
    "int32": ("Int32", "0", "int"),
    "int64": ("Int64", "0", "int"),
    "uint32": ("UInt32", "0", "int"),
    "uint64": ("UInt64", "0", "int"),
    "sint32": ("Int32", "0", "int"),
    "sint64": ("Int64", "0", "int"),
    "double": ("Double", "0", "int"),
}


class ProtoError(Exception):
    pass


def camel(name, upper=False):
    parts = name.lower().split("_")
    s = parts[0] + "".join(p.capitalize() for p in parts[1:])
    if upper:
        s = s[0].upper() + s[1:]
    return s


def lower_first(name):
    return name[0].lower() + name[1:]


def c_snake(name):
    """protoc-c's lower-case form of a CamelCase name, as its CamelToLower does:
    an underscore before an upper-case letter that follows a non-upper-case one
    (HealthCheckRequest -> health_check_request, WhoAmIRequest -> who_am_irequest)."""
    out = ""
    was_upper = True
    for ch in name:
        is_upper = ch.isupper()
        if is_upper:
            if not was_upper:
                out += "_"
            out += ch.lower()
        else:
            out += ch
        was_upper = is_upper
    return out


SWIFT_KEYWORDS = {"default", "class", "struct", "enum", "protocol", "extension", "func", "var", "let",
                  "in", "is", "as", "self", "Self", "init", "deinit", "import", "return", "where",
                  "case", "switch", "for", "while", "repeat", "if", "else", "guard", "do", "catch",
                  "throw", "throws", "try", "public", "private", "internal", "static", "operator", "type"}


def swift_ident(name):
    return f"`{name}`" if name in SWIFT_KEYWORDS else name


def tokenize(text, path):
    """Splits a proto file into tokens, keeping each comment block attached to the next token."""
    tokens = []
    pending = []
    lineno = 1
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            lineno += 1
            i += 1
        elif ch.isspace():
            i += 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            pending.append(text[i + 2:end].strip())
            i = end
        elif text.startswith("/*", i):
            end = text.find("*/", i)
            if end < 0:
                raise ProtoError(f"{path}:{lineno}: unterminated comment")
            lineno += text.count("\n", i, end)
            i = end + 2
        elif ch == '"':
            end = text.find('"', i + 1)
            tokens.append((text[i:end + 1], lineno, pending))
            pending = []
            i = end + 1
        elif ch.isalnum() or ch in "_.":
            m = re.match(r"[A-Za-z0-9_.]+", text[i:])
            tokens.append((m.group(0), lineno, pending))
            pending = []
            i += len(m.group(0))
        else:
            tokens.append((ch, lineno, pending))
            pending = []
            i += 1
    return tokens


class Parser:
    def __init__(self, path, text):
        self.path = path
        self.tokens = tokenize(text, path)
        self.pos = 0
        self.package = None
        self.imports = []
        self.enums = []
        self.messages = []
        self.services = []

    def fail(self, msg):
        line = self.tokens[min(self.pos, len(self.tokens) - 1)][1] if self.tokens else 0
        raise ProtoError(f"{self.path}:{line}: {msg}")

    def peek(self):
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else None

    def next(self):
        if self.pos >= len(self.tokens):
            self.fail("unexpected end of file")
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def expect(self, value):
        tok = self.next()
        if tok[0] != value:
            self.pos -= 1
            self.fail(f"expected '{value}', found '{tok[0]}'")
        return tok

    def comments(self):
        return self.tokens[self.pos][2] if self.pos < len(self.tokens) else []

    def parse(self):
        while self.peek() is not None:
            word = self.peek()
            if word == "syntax":
                self.next(); self.expect("=")
                if self.next()[0] != '"proto3"':
                    self.fail("only proto3 is supported")
                self.expect(";")
            elif word == "package":
                self.next(); self.package = self.next()[0]; self.expect(";")
            elif word == "import":
                self.next(); self.imports.append(self.next()[0].strip('"')); self.expect(";")
            elif word == "option":
                while self.next()[0] != ";":
                    pass
            elif word == "enum":
                self.enums.append(self.parse_enum())
            elif word == "message":
                self.messages.append(self.parse_message())
            elif word == "service":
                self.services.append(self.parse_service())
            else:
                self.fail(f"unsupported top-level statement '{word}'")
        return self

    def parse_enum(self):
        doc = self.comments()
        self.expect("enum")
        name = self.next()[0]
        self.expect("{")
        values = []
        while self.peek() != "}":
            vdoc = self.comments()
            vname = self.next()[0]
            self.expect("=")
            number = int(self.next()[0])
            self.expect(";")
            values.append((vname, number, vdoc))
        self.expect("}")
        if not values or values[0][1] != 0:
            self.fail(f"enum {name} must start with a value numbered 0")
        return {"name": name, "values": values, "doc": doc}

    def parse_message(self):
        doc = self.comments()
        self.expect("message")
        name = self.next()[0]
        self.expect("{")
        fields = []
        while self.peek() != "}":
            fdoc = self.comments()
            word = self.peek()
            if word in ("message", "enum", "oneof", "map", "reserved", "extensions", "option"):
                self.fail(f"message {name}: '{word}' is not supported (keep messages flat)")
            repeated = False
            if word == "repeated":
                repeated = True
                self.next()
            elif word == "optional":
                self.fail(f"message {name}: 'optional' is not supported; use 0/empty as 'not set'")
            ftype = self.next()[0]
            if ftype.startswith("mms.v1."):
                ftype = ftype[len("mms.v1."):]
            fname = self.next()[0]
            self.expect("=")
            number = int(self.next()[0])
            self.expect(";")
            fields.append({"type": ftype, "name": fname, "number": number, "repeated": repeated, "doc": fdoc})
        self.expect("}")
        return {"name": name, "fields": fields, "doc": doc}

    def parse_service(self):
        doc = self.comments()
        self.expect("service")
        name = self.next()[0]
        self.expect("{")
        methods = []
        while self.peek() != "}":
            mdoc = self.comments()
            self.expect("rpc")
            mname = self.next()[0]
            self.expect("(")
            if self.peek() == "stream":
                self.fail(f"{name}.{mname}: client streaming is not supported")
            req = self.next()[0]
            self.expect(")")
            self.expect("returns")
            self.expect("(")
            streaming = False
            if self.peek() == "stream":
                streaming = True
                self.next()
            resp = self.next()[0]
            self.expect(")")
            if self.peek() == "{":
                while self.next()[0] != "}":
                    pass
                if self.peek() == ";":
                    self.next()
            else:
                self.expect(";")
            methods.append({"name": mname, "request": req, "response": resp, "streaming": streaming, "doc": mdoc})
        self.expect("}")
        return {"name": name, "methods": methods, "doc": doc}


def doc_lines(doc, indent):
    return "".join(f"{indent}/// {line}\n" if line else f"{indent}///\n" for line in doc)


class Generator:
    def __init__(self, files):
        self.files = files
        self.enums = {}
        self.messages = {}
        for f in files.values():
            for e in f.enums:
                self.enums[e["name"]] = e
            for m in f.messages:
                self.messages[m["name"]] = m
        self.check_types()
        self.depth = {}
        for name in self.messages:
            self.message_depth(name, [])

    def check_types(self):
        for f in self.files.values():
            for m in f.messages:
                for fld in m["fields"]:
                    t = fld["type"]
                    if t not in SCALARS and t not in self.enums and t not in self.messages:
                        raise ProtoError(f"{f.path}: {m['name']}.{fld['name']}: unknown or unsupported type '{t}'")

    def message_depth(self, name, stack):
        if name in stack:
            raise ProtoError(f"message {name} contains itself through {' -> '.join(stack + [name])}; keep messages flat")
        if name in self.depth:
            return self.depth[name]
        inner = [self.message_depth(f["type"], stack + [name]) for f in self.messages[name]["fields"] if f["type"] in self.messages]
        self.depth[name] = 1 + max(inner, default=0)
        return self.depth[name]

    # Names protoc-c gives to things in package mms.v1.
    def c_struct(self, name):
        return f"Mms__V1__{name}"

    def c_func(self, name):
        return f"mms__v1__{c_snake(name)}"

    def c_enum(self, name):
        return f"Mms__V1__{name}"

    def enum_case(self, enum, value_name):
        prefix = re.sub(r"(?<!^)(?=[A-Z])", "_", enum["name"]).upper() + "_"
        short = value_name[len(prefix):] if value_name.startswith(prefix) else value_name
        return swift_ident(camel(short))

    def swift_type(self, fld):
        t = fld["type"]
        if t in SCALARS:
            base = SCALARS[t][0]
        else:
            base = t
        if fld["repeated"]:
            return f"[{base}]"
        if t in self.messages:
            return f"{base}?"
        return base

    def swift_default(self, fld):
        t = fld["type"]
        if fld["repeated"]:
            return "[]"
        if t in SCALARS:
            return SCALARS[t][1]
        if t in self.enums:
            return "." + self.enum_case(self.enums[t], self.enums[t]["values"][0][0])
        return "nil"

    def gen_enum(self, e):
        out = doc_lines(e["doc"], "")
        out += f"public enum {e['name']}: Int32, Sendable, Hashable, CaseIterable {{\n"
        for vname, number, vdoc in e["values"]:
            out += doc_lines(vdoc, "    ")
            out += f"    case {self.enum_case(e, vname)} = {number}\n"
        out += "\n    /// The name of the value in the .proto file, as written on the wire's text forms.\n"
        out += "    public var protoName: String {\n        switch self {\n"
        for vname, number, vdoc in e["values"]:
            out += f'        case .{self.enum_case(e, vname).strip("`")}: return "{vname}"\n'
        out += "        }\n    }\n}\n\n"
        out += f"extension {e['name']} {{\n"
        out += f"    @inlinable\n    static func fromC(_ raw: {self.c_enum(e['name'])}, field: String) throws(RPCError) -> Self {{\n"
        out += f"        guard let value = Self(rawValue: Int32(truncatingIfNeeded: raw.rawValue)) else {{\n"
        out += f"            throw ProtobufCBridge.unknownEnumValue(Int64(raw.rawValue), enumName: \"{e['name']}\", field: field)\n"
        out += "        }\n        return value\n    }\n\n"
        out += f"    @inlinable\n    var cValue: {self.c_enum(e['name'])} {{\n"
        out += f"        {self.c_enum(e['name'])}(rawValue: numericCast(self.rawValue))\n    }}\n}}\n\n"
        return out

    def gen_message(self, m):
        name = m["name"]
        cs = self.c_struct(name)
        cf = self.c_func(name)
        out = doc_lines(m["doc"], "")
        out += f"public struct {name}: Sendable, Hashable {{\n"
        for fld in m["fields"]:
            out += doc_lines(fld["doc"], "    ")
            out += f"    public var {swift_ident(camel(fld['name']))}: {self.swift_type(fld)}\n"
        params = ", ".join(f"{swift_ident(camel(f['name']))}: {self.swift_type(f)} = {self.swift_default(f)}" for f in m["fields"])
        out += f"\n    /// Creates a message; every field not given has its proto3 default.\n"
        out += f"    public init({params}) {{\n"
        for fld in m["fields"]:
            n = swift_ident(camel(fld["name"]))
            out += f"        self.{n} = {n}\n"
        out += "    }\n}\n\n"

        # Bridge.
        out += f"extension {name}: ProtobufCBridgedMessage {{\n"
        out += f"    public typealias CMessage = {cs}\n"
        out += f"    /// Nesting depth of this message: {self.depth[name]} (checked by Protos/swiftgen.py).\n"
        out += f"    public static let messageName = \"mms.v1.{name}\"\n\n"
        out += f"    public static func cInit(_ message: UnsafeMutablePointer<{cs}>) {{ {cf}__init(message) }}\n"
        out += f"    public static func cPackedSize(_ message: UnsafePointer<{cs}>) -> Int {{ {cf}__get_packed_size(message) }}\n"
        out += f"    public static func cPack(_ message: UnsafePointer<{cs}>, _ out: UnsafeMutablePointer<UInt8>) -> Int {{ {cf}__pack(message, out) }}\n"
        out += f"    public static func cUnpack(_ count: Int, _ bytes: UnsafePointer<UInt8>) -> UnsafeMutablePointer<{cs}>? {{ {cf}__unpack(nil, count, bytes) }}\n"
        out += f"    public static func cFreeUnpacked(_ message: UnsafeMutablePointer<{cs}>) {{ {cf}__free_unpacked(message, nil) }}\n\n"

        out += f"    public func fill(_ c: UnsafeMutablePointer<{cs}>, arena: ProtobufCArena) throws(RPCError) {{\n"
        for fld in m["fields"]:
            out += self.gen_fill(m, fld)
        out += "    }\n\n"
        out += f"    public init(reading c: UnsafePointer<{cs}>) throws(RPCError) {{\n"
        for fld in m["fields"]:
            out += self.gen_read(m, fld)
        out += "    }\n}\n\n"
        return out

    def gen_fill(self, m, fld):
        sn = swift_ident(camel(fld["name"]))
        cn = fld["name"]
        t = fld["type"]
        path = f'"{m["name"]}.{fld["name"]}"'
        if not fld["repeated"]:
            if t == "string":
                return f"        c.pointee.{cn} = try arena.string(self.{sn}, field: {path})\n"
            if t == "bytes":
                return f"        c.pointee.{cn} = arena.bytes(self.{sn})\n"
            if t == "bool":
                return f"        c.pointee.{cn} = self.{sn} ? 1 : 0\n"
            if t in SCALARS:
                return f"        c.pointee.{cn} = self.{sn}\n"
            if t in self.enums:
                return f"        c.pointee.{cn} = self.{sn}.cValue\n"
            return (f"        if let value = self.{sn} {{\n"
                    f"            c.pointee.{cn} = try arena.message(value)\n"
                    f"        }}\n")
        # repeated
        out = f"        c.pointee.n_{cn} = self.{sn}.count\n"
        if t == "string":
            out += f"        c.pointee.{cn} = try arena.array(self.{sn}) {{ (value) throws(RPCError) in try arena.string(value, field: {path}) }}\n"
        elif t == "bytes":
            out += f"        c.pointee.{cn} = try arena.array(self.{sn}) {{ (value) throws(RPCError) in arena.bytes(value) }}\n"
        elif t == "bool":
            out += f"        c.pointee.{cn} = try arena.array(self.{sn}) {{ (value) throws(RPCError) in value ? 1 : 0 }}\n"
        elif t in SCALARS:
            out += f"        c.pointee.{cn} = try arena.array(self.{sn}) {{ (value) throws(RPCError) in value }}\n"
        elif t in self.enums:
            out += f"        c.pointee.{cn} = try arena.array(self.{sn}) {{ (value) throws(RPCError) in value.cValue }}\n"
        else:
            out += f"        c.pointee.{cn} = try arena.array(self.{sn}) {{ (value) throws(RPCError) in Optional(try arena.message(value)) }}\n"
        return out

    def gen_read(self, m, fld):
        sn = swift_ident(camel(fld["name"]))
        cn = fld["name"]
        t = fld["type"]
        path = f'"{m["name"]}.{fld["name"]}"'
        if not fld["repeated"]:
            if t == "string":
                return f"        self.{sn} = try ProtobufCBridge.string(c.pointee.{cn}, field: {path})\n"
            if t == "bytes":
                return f"        self.{sn} = ProtobufCBridge.bytes(c.pointee.{cn})\n"
            if t == "bool":
                return f"        self.{sn} = c.pointee.{cn} != 0\n"
            if t in SCALARS:
                return f"        self.{sn} = c.pointee.{cn}\n"
            if t in self.enums:
                return f"        self.{sn} = try {t}.fromC(c.pointee.{cn}, field: {path})\n"
            return (f"        if let value = c.pointee.{cn} {{\n"
                    f"            self.{sn} = try {t}(reading: value)\n"
                    f"        }} else {{\n"
                    f"            self.{sn} = nil\n"
                    f"        }}\n")
        if t == "string":
            conv = f"(element) throws(RPCError) in try ProtobufCBridge.string(element, field: {path})"
        elif t == "bytes":
            conv = "(element) throws(RPCError) in ProtobufCBridge.bytes(element)"
        elif t == "bool":
            conv = "(element) throws(RPCError) in element != 0"
        elif t in SCALARS:
            conv = "(element) throws(RPCError) in element"
        elif t in self.enums:
            conv = f"(element) throws(RPCError) in try {t}.fromC(element, field: {path})"
        else:
            conv = f"(element) throws(RPCError) in try ProtobufCBridge.message(element, as: {t}.self, field: {path})"
        return f"        self.{sn} = try ProtobufCBridge.array(c.pointee.{cn}, count: c.pointee.n_{cn}) {{ {conv} }}\n"

    def gen_service(self, s):
        name = s["name"]
        out = doc_lines(s["doc"], "")
        out += f"/// The methods of `mms.v1.{name}`, identified on the wire by their full names.\n"
        out += f"public enum {name}Methods {{\n"
        for mth in s["methods"]:
            kind = "ServerStreamingMethod" if mth["streaming"] else "UnaryMethod"
            out += doc_lines(mth["doc"], "    ")
            out += (f"    public static let {lower_first(mth['name'])} = {kind}<{mth['request']}, {mth['response']}>"
                    f"(fullName: \"mms.v1.{name}/{mth['name']}\")\n")
        out += "}\n\n"
        out += f"/// What a server implements to serve `mms.v1.{name}`.\n"
        out += f"public protocol {name}Handler: Sendable {{\n"
        for mth in s["methods"]:
            out += doc_lines(mth["doc"], "    ")
            fn = lower_first(mth["name"])
            if mth["streaming"]:
                out += (f"    func {fn}(_ request: {mth['request']}, responses: ResponseStreamWriter<{mth['response']}>, "
                        f"context: ServerContext) async throws\n")
            else:
                out += f"    func {fn}(_ request: {mth['request']}, context: ServerContext) async throws -> {mth['response']}\n"
        out += "}\n\n"
        out += f"extension {name}Handler {{\n"
        out += "    /// Registers every method of this service on `router`.\n"
        out += "    public func register(on router: inout RPCRouter) {\n"
        for mth in s["methods"]:
            fn = lower_first(mth["name"])
            if mth["streaming"]:
                out += (f"        router.register({name}Methods.{fn}) {{ request, responses, context in "
                        f"try await self.{fn}(request, responses: responses, context: context) }}\n")
            else:
                out += (f"        router.register({name}Methods.{fn}) {{ request, context in "
                        f"try await self.{fn}(request, context: context) }}\n")
        out += "    }\n}\n\n"
        return out

    def generate(self, rel, parsed):
        out = f"// Generated by Protos/swiftgen.py from Protos/{rel}. Do not edit: run Protos/generate.\n\n"
        out += "import CMMSProtos\nimport MMSRPC\n\n"
        for e in parsed.enums:
            out += self.gen_enum(e)
        for m in parsed.messages:
            out += self.gen_message(m)
        for s in parsed.services:
            out += self.gen_service(s)
        return out.rstrip("\n") + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--proto-root", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("protos", nargs="+")
    args = ap.parse_args()
    files = {}
    try:
        for rel in args.protos:
            with open(os.path.join(args.proto_root, rel), encoding="utf-8") as fh:
                files[rel] = Parser(rel, fh.read()).parse()
                if files[rel].package != "mms.v1":
                    raise ProtoError(f"{rel}: package must be mms.v1")
        gen = Generator(files)
        os.makedirs(args.out, exist_ok=True)
        for rel, parsed in files.items():
            base = os.path.basename(rel)[:-len(".proto")]
            swift_name = "".join(p.capitalize() for p in re.split(r"[_\-]", base)) + ".pb.swift"
            with open(os.path.join(args.out, swift_name), "w", encoding="utf-8") as fh:
                fh.write(gen.generate(rel, parsed))
    except ProtoError as err:
        print(f"swiftgen: {err}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
