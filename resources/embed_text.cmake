# Turns a text file into a C++ source defining `const unsigned char <SYMBOL>[]` (NUL-terminated) in
# namespace greentune::resources, so data ships inside the library instead of beside it.
# Bytes rather than a string literal: no escaping to get wrong, and no ISO length limit on literals.
# Usage: cmake -DINPUT=file -DOUTPUT=file.cpp -DSYMBOL=name -P embed_text.cmake
file(READ "${INPUT}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
get_filename_component(input_name "${INPUT}" NAME)
file(WRITE "${OUTPUT}.tmp"
  "// Generated from resources/${input_name} by resources/embed_text.cmake; do not edit.\n"
  "namespace greentune::resources {\n"
  "extern const unsigned char ${SYMBOL}[];\n"
  "const unsigned char ${SYMBOL}[] = {\n${bytes}0x00};\n"
  "}  // namespace greentune::resources\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
