#include <math.h>
#include <string.h>

#include <csv.h>

#include "reports/csv_out.h"

int rpt_csv_text(FILE *f, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL)
		return fputs(s, f) < 0 ? -1 : 0;
	return csv_fwrite(f, s, strlen(s)) == 0 ? 0 : -1;
}

int rpt_csv_number(FILE *f, double x, int decimals)
{
	if (isnan(x))
		return 0;
	return fprintf(f, "%.*f", decimals, x) < 0 ? -1 : 0;
}
