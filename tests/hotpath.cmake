c2h_add_cmocka_test(test_hotpath ${CMAKE_CURRENT_SOURCE_DIR}/test_hotpath.c LIBS c2h_partition)
