#include "vigil_module.h"
