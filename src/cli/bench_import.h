/* bench_import.h - gridgov bench import-raw (see bench_import.c). */
#ifndef CLI_BENCH_IMPORT_H
#define CLI_BENCH_IMPORT_H

int bench_import_raw(int argc, char **argv);

#endif
