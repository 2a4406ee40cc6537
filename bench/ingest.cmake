add_executable(nf5send ${CMAKE_CURRENT_SOURCE_DIR}/nf5send.c)
target_link_libraries(nf5send PRIVATE c2h_io)
