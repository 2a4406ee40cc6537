add_executable(literals ${CMAKE_CURRENT_SOURCE_DIR}/literals.c)
target_link_libraries(literals PRIVATE c2h_io)
