// libxml2 is built with ICU here; its encoding.h would pull ICU's headers in, which clash with the
// copy Foundation carries. refbridge never touches the ICU-dependent parts (the converters inside
// xmlCharEncodingHandler, only ever used through pointers), so the ICU include is switched off.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/xmlreader.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
