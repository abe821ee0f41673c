#include "vigil_system.h"
