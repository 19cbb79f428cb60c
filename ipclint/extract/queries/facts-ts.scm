; TS and TSX only.
(enum_declaration) @enum
(abstract_class_declaration) @class
