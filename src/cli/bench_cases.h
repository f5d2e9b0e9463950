/* bench_cases.h - gridgov bench case-raw | sweep (see bench_cases.c). */
#ifndef CLI_BENCH_CASES_H
#define CLI_BENCH_CASES_H

int bench_case_raw(int argc, char **argv);
int bench_sweep(int argc, char **argv);

#endif
