c2h_add_cmocka_test(test_detect ${CMAKE_CURRENT_SOURCE_DIR}/test_detect.c LIBS c2h_detect)
