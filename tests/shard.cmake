c2h_add_cmocka_test(test_shard ${CMAKE_CURRENT_SOURCE_DIR}/test_shard.c)
