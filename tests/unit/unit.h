/* unit.h - what every cmocka unit test includes. */
#ifndef UNIT_H
#define UNIT_H

#include "core/gg.h"

#include <setjmp.h>
#include <cmocka.h>

#endif
