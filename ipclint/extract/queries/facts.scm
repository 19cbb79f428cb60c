; Shapes whose meaning extract.py decides. Captures are processed in document order; functions
; and loops open scopes that the nodes inside them belong to.
[(function_declaration) (function_expression) (arrow_function) (method_definition)
 (generator_function_declaration) (generator_function)] @fn
[(call_expression) (new_expression)] @call
(variable_declarator) @decl
(assignment_expression) @assign
(unary_expression operator: "delete" argument: [(member_expression) (subscript_expression)]) @delete
(import_statement) @import
(export_statement) @export
(class_declaration) @class
(class) @class
(return_statement) @return
(throw_statement) @throw
[(for_statement) (for_in_statement) (while_statement) (do_statement)] @loop
(member_expression
  object: (identifier) @gobj (#any-of? @gobj "window" "globalThis" "self")) @global
; every binary expression: filtering on the operator field in the query is quadratic on long `+` chains
(binary_expression) @binary
(if_statement) @if
(switch_statement) @switch
