; TS and TSX only.
(enum_declaration) @enum
; `namespace NS { export const A = '...' }`: NS.A is a member of an object
(internal_module) @namespace
(abstract_class_declaration) @class
; types that typed-channel decisions read (extract/typefacts.py)
(type_alias_declaration) @tdecl
(interface_declaration) @tdecl
(function_signature) @fsig
(as_expression) @cast
