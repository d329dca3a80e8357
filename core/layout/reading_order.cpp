#include "layout/reading_order.h"
