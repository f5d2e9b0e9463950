#!/usr/bin/env python3
"""Writes N generated persons as a CSV import file (the template's Chinese
headers), for bench/import.sh:

    gen_persons.py N COMMUNITY OUT.csv

Rows go to the community's grids 001-006.
Every ID number is valid (GB 11643 check digit, real birth date) and
unique; phones are unique; a tenth of the rows carry tags."""
import random
import sys

W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红娥建国建华建军志强志明"
TAGS = ["高龄", "独居", "低保", "残疾", "退役军人", "党员"]


def id_number(area, y, m, d, seq, sex):
    body = "%s%04d%02d%02d%03d" % (area, y, m, d, seq * 2 + sex)
    return body + CHECK[sum(int(c) * w for c, w in zip(body, W)) % 11]


def main():
    n, grid_prefix, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    rnd = random.Random(1)
    with open(out, "w", encoding="utf-8") as f:
        f.write("姓名,公民身份号码,联系电话,居住类型,所属网格,人员标签\n")
        for i in range(n):
            # Unique: the day of birth and the sequence number come from i.
            day = i // 500
            y, m, d = 1930 + day // 336 % 90, day // 28 % 12 + 1, day % 28 + 1
            sex = i % 2
            idn = id_number("370902", y, m, d, (i % 500) // 2, sex)
            phone = "13%09d" % i
            name = rnd.choice(SURNAMES) + rnd.choice(GIVEN) + rnd.choice(GIVEN)
            grid = "%s%03d" % (grid_prefix, i % 6 + 1)
            tags = "、".join(rnd.sample(TAGS, 2)) if i % 10 == 0 else ""
            f.write("%s,%s,%s,常住,%s,%s\n" % (name, idn, phone, grid, tags))


if __name__ == "__main__":
    main()
