/* Compiles the header once so its static layout asserts are checked in every
 * build; SwiftPM also expects an object file for a C target. */
#include "vigil_module.h"
